/** Listening address from the environment, checked so a typo fails loudly at start-up. */

export interface ListenConfig {
  host: string;
  port: number;
}

export function listenConfig(env: NodeJS.ProcessEnv = process.env): ListenConfig {
  const host = env.HOST || '127.0.0.1';
  const rawPort = env.PORT || '5000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${rawPort}"`);
  }
  return { host, port };
}
