/** Debian programs some tests need (.ci/run installs them): found on PATH, or the test is skipped locally. */
import { spawnSync } from 'node:child_process';

/**
 * Whether `program` runs. Without it a local run skips the tests, saying so; in CI (CI set)
 * that is a failure instead, since .ci/run installs it.
 */
export function programAvailable(program: string, testName: string): boolean {
  if (spawnSync(program, ['-version'], { stdio: 'ignore' }).error === undefined) return true;
  const message = `${testName}: no ${program} on PATH (apt-get install ${program})`;
  if (process.env.CI) throw new Error(`${message}; CI must run it`);
  console.warn(`${message}: SKIPPED`);
  return false;
}
