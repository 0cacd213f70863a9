/** Settings from the environment, checked so a typo fails loudly at start-up. */

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

/** MAX_BODY_MB: the largest request body in MiB (default 25); bigger requests get 413. */
export function maxBodyBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MAX_BODY_MB || '25';
  const megabytes = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(megabytes > 0)) {
    throw new Error(`MAX_BODY_MB must be a positive number of MiB, got "${raw}"`);
  }
  return Math.floor(megabytes * 1024 * 1024);
}
