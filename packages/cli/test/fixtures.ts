/** The built CLI, spawned as a user runs it (the team's data: @emotion/test-support). */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { facesDir, repoRoot } from '@emotion/test-support';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(packageDir, 'dist/bin.cjs');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <binPath> ...args` (default: this package's built bin) to its end. */
export function runCli(
  args: string[],
  options: { cwd?: string; binPath?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.binPath ?? bin, ...args], {
      cwd: options.cwd ?? packageDir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
