/**
 * How answers and failures are written: the seed's /predict as Flask wrote it (compact JSON and
 * a newline, `{"error": …}`), everything else as `{"error", "code"}` JSON.
 */
import type { Context, ErrorHandler, TypedResponse } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';

import type { ServerEnv } from './context.js';
import { type HttpFailure, RequestError, toHttpFailure } from './errors.js';
import type { Metrics } from './metrics.js';

export const JSON_TYPE = /^application\/([\w.-]+\+)?json$/;

/** The request's media type, lower case, without parameters. */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Flask's `jsonify` body: compact JSON and a newline, so seed clients see the same bytes; typed
 * as the JSON it is, so a route's declared answer schema checks it.
 */
export function seedJson<T extends Record<string, string>, S extends ContentfulStatusCode = 200>(
  c: Context,
  body: T,
  status?: S,
): Response & TypedResponse<T, S, 'json'> {
  const response = c.body(`${JSON.stringify(body)}\n`, status ?? 200, { 'Content-Type': 'application/json' });
  return response as unknown as Response & TypedResponse<T, S, 'json'>;
}

export function v1Error(c: Context, failure: Pick<HttpFailure, 'status' | 'code' | 'message'>): Response {
  return c.json({ error: failure.message, code: failure.code }, failure.status);
}

const isSeedRoute = (c: Context) => c.req.path === '/predict';

export function answerFailure(c: Context, failure: HttpFailure): Response {
  if (failure.retryAfter !== undefined) c.header('Retry-After', String(failure.retryAfter));
  for (const [name, value] of Object.entries(failure.headers ?? {})) c.header(name, value);
  return isSeedRoute(c) ? seedJson(c, { error: failure.message }, failure.status) : v1Error(c, failure);
}

/** Every thrown failure becomes its answer; internal faults are logged, never sent. */
export function handleErrors(metrics: Metrics, logger: Logger | undefined): ErrorHandler<ServerEnv> {
  return (error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own rejections, e.g. "Malformed JSON in request body".
      return answerFailure(c, { status: 400, code: 'BAD_REQUEST', message: error.message });
    }
    const failure = toHttpFailure(error);
    if (failure.status === 500) {
      if (logger) logger.error({ err: error, reqId: c.get('requestId') }, `${c.req.method} ${c.req.path} failed`);
      else console.error(`${c.req.method} ${c.req.path} failed:`, error);
    }
    if (failure.code === 'SERVER_BUSY') metrics.busyRefusals.inc();
    if (failure.status === 401) metrics.authRefusals.inc();
    return answerFailure(c, failure);
  };
}

/** A route's validation hook: a request that fails its schema is a 400 with the schema's first message. */
export function rejectInvalid(fallback: string) {
  return (result: { success: boolean; error?: { issues: readonly { message: string }[] } }): undefined => {
    if (!result.success) throw new RequestError(400, 'INVALID_REQUEST', result.error?.issues[0]?.message ?? fallback);
    return undefined;
  };
}
