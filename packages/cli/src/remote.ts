/**
 * `emotion analyze --server URL`: each image sent to a running server or fleet
 * (`POST /v1/analyze`, the raw bytes as the body) instead of a local engine. /v1/analyze is
 * idempotent, so a request refused before any work (503, 429), lost to a connection that a
 * restarting replica closed, or answered by a load balancer with 502/504 is sent again, up to
 * `attempts` times, waiting as `Retry-After` says or backing off.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ImageFile } from './inputs.js';
import { type FaceRecord, type ImageResult, toFailure, toRecord } from './results.js';

export interface RemoteOptions {
  /** The server's base URL; /v1/analyze is resolved against it (a path prefix is kept). */
  server: string;
  apiKey?: string;
  /** Tries per image, the first included. */
  attempts: number;
  /** Longest wait for one answer, ms. */
  timeoutMs?: number;
}

/** A failure that every image would meet (a refused API key): the whole run stops. */
export class RemoteFatalError extends Error {
  override name = 'RemoteFatalError';
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
};

/** Statuses that mean "not now" rather than "not this image". */
const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const FIRST_BACKOFF_MS = 250;
const MAX_WAIT_MS = 30_000;

export function remoteAnalyzer(options: RemoteOptions): (file: ImageFile) => Promise<ImageResult> {
  const base = options.server.endsWith('/') ? options.server : `${options.server}/`;
  const endpoint = new URL('v1/analyze', base);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const headers: Record<string, string> = options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {};

  return async (file) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(file.path);
    } catch (error) {
      return toFailure(file.path, error);
    }
    const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    let last = { code: 'UNAVAILABLE', message: 'no answer' };
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      let response: Response;
      let answer: { code: string; message: string };
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { ...headers, 'Content-Type': type },
          body: bytes,
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (response.ok) {
          const body = (await response.json()) as { faces: FaceRecord[] };
          return { file: file.path, faces: body.faces.map(toRecord) };
        }
        answer = await errorBody(response);
      } catch (error) {
        // No answer, or one cut short: the image is sent again.
        last = networkFailure(error);
        if (attempt < options.attempts) await sleep(backoff(attempt));
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new RemoteFatalError(`the server refused the request (${response.status}): ${answer.message}`);
      }
      if (!RETRIED_STATUSES.has(response.status)) return { file: file.path, error: answer };
      last = answer;
      if (attempt < options.attempts)
        await sleep(retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt));
    }
    return {
      file: file.path,
      error: { code: last.code, message: `${last.message} (gave up after ${options.attempts} attempts)` },
    };
  };
}

/** The server's `{ error, code }`, or the status for a body that is not ours (a proxy's page). */
async function errorBody(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof body.code === 'string' && typeof body.error === 'string')
      return { code: body.code, message: body.error };
  } catch {
    // Not JSON: described by its status below.
  }
  return { code: `HTTP_${response.status}`, message: `${response.status} ${response.statusText}`.trim() };
}

function networkFailure(error: unknown): { code: string; message: string } {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return { code: 'TIMEOUT', message: 'no answer in time' };
  const code = typeof cause?.code === 'string' ? cause.code : 'NETWORK_ERROR';
  const message = typeof cause?.message === 'string' ? cause.message : String(error);
  return { code, message };
}

/** `Retry-After` as seconds or an HTTP date, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_WAIT_MS);
}

/** Exponential with full jitter, so clients that failed together do not retry together. */
function backoff(attempt: number): number {
  const ceiling = Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_WAIT_MS / 3);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
