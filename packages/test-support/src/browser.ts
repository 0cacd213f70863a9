import { existsSync } from 'node:fs';

import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH names another. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Chromium a local run skips them, saying so; in CI
 * (CI set) that is a failure instead, since .ci/run installs it.
 */
export function chromiumAvailable(testName: string): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `${testName}: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI) throw new Error(`${message}; CI must run it`);
  console.warn(`${message}: SKIPPED`);
  return false;
}

/**
 * Headless Chromium with a fresh profile and the flags this machine's closed network needs
 * (no background connections, no component updates); `args` adds more, e.g. a fake camera.
 */
export function launchChromium(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      ...args,
    ],
  });
}
