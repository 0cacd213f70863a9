/**
 * How failures become HTTP answers. The seed service's messages are kept for /predict
 * ("No image provided", "Invalid base64 data", "Failed to decode image"), with honest status
 * codes; /v1 answers add a stable `code`.
 */
import { EmotionError, type ErrorCode } from '@emotion/core';

export interface HttpFailure {
  status: 400 | 401 | 413 | 415 | 429 | 500 | 503;
  /** Stable, machine-readable: the engine's `code` or one of the server's own. */
  code: string;
  /** The seed's wording where the seed had one; never a stack trace. */
  message: string;
  /** Seconds to send as `Retry-After`: only for a refusal that is worth retrying soon. */
  retryAfter?: number;
  /** More headers the refusal needs (`WWW-Authenticate`, the rate limit's). */
  headers?: Record<string, string>;
}

/** A failure the server itself finds (a bad request, an engine that failed to load). */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 413 | 415 | 429 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const SERVER_BUSY = 'Server busy';

/**
 * Every admission slot is taken (see admission.ts): 503 with `Retry-After`, answered before
 * the request costs any inference.
 */
export class ServerBusyError extends RequestError {
  constructor(readonly retryAfter = 1) {
    super(503, 'SERVER_BUSY', SERVER_BUSY);
    this.name = 'ServerBusyError';
  }
}

/** No API key, or a wrong one, while keys are on (auth.ts). */
export class UnauthorizedError extends RequestError {
  constructor(message: string) {
    super(401, 'UNAUTHORIZED', message);
    this.name = 'UnauthorizedError';
  }
}

/** The caller's rate limit is spent (rate-limit.ts): 429 with when to retry and the limit's headers. */
export class RateLimitedError extends RequestError {
  constructor(
    readonly retryAfter: number,
    readonly headers: Record<string, string>,
  ) {
    super(429, 'RATE_LIMITED', 'Too many requests');
    this.name = 'RateLimitedError';
  }
}

export const NO_IMAGE = 'No image provided';
export const INVALID_BASE64 = 'Invalid base64 data';
export const DECODE_FAILED = 'Failed to decode image';

/** Maps anything thrown while serving a request to its answer. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (error instanceof ServerBusyError) {
    return { status: 503, code: error.code, message: error.message, retryAfter: error.retryAfter };
  }
  if (error instanceof RateLimitedError) {
    return {
      status: 429,
      code: error.code,
      message: error.message,
      retryAfter: error.retryAfter,
      headers: error.headers,
    };
  }
  if (error instanceof UnauthorizedError) {
    // RFC 6750: the scheme the client should use, and why it was refused.
    const challenge = 'Bearer realm="emotion", error="invalid_token"';
    return { status: 401, code: error.code, message: error.message, headers: { 'WWW-Authenticate': challenge } };
  }
  if (error instanceof RequestError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof EmotionError) {
    const { status, message } = ENGINE_ERRORS[error.code];
    // Without the seed's wording, the engine's own: say what, not where.
    return { status, code: error.code, message: message?.(error.message) ?? firstLine(error.message) };
  }
  return { status: 500, code: 'INTERNAL', message: 'Internal server error' };
}

/**
 * Every engine error code's answer: a `Record`, so a code the core adds does not compile until
 * it is mapped here (test/errors.test.ts checks this against the addon's list too).
 */
const ENGINE_ERRORS: Record<ErrorCode, { status: HttpFailure['status']; message?: (text: string) => string }> = {
  INVALID_BASE64: { status: 400, message: () => INVALID_BASE64 },
  EMPTY_INPUT: { status: 400, message: () => DECODE_FAILED },
  UNSUPPORTED_FORMAT: { status: 400, message: () => DECODE_FAILED },
  INVALID_IMAGE: { status: 400, message: () => DECODE_FAILED },
  // The core's own words ("image too large: 224x224 = …"), as a sentence.
  IMAGE_TOO_LARGE: { status: 413, message: (text) => capitalized(firstLine(text)) },
  // Engine options are the server's own settings, never the request's: a fault of ours.
  INVALID_OPTIONS: { status: 500 },
  RUNTIME_NOT_FOUND: { status: 500 },
  RUNTIME_ERROR: { status: 500 },
  MODEL_OUTPUT: { status: 500 },
  // The engine's own queue, cancellation, time limit and shutdown: the server's state, not the request's.
  BUSY: { status: 503 },
  ABORTED: { status: 503 },
  TIMEOUT: { status: 503 },
  ENGINE_CLOSED: { status: 503 },
};

/** A message's first line: engine messages may carry detail below it that an answer should not. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
