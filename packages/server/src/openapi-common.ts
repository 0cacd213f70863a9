/**
 * What the route modules' OpenAPI declarations share: the errors an API route may answer (with
 * an example in each flavour) and how a route says it needs a key.
 */
import type { z } from '@hono/zod-openapi';

import { DEFAULT_MAX_BODY_BYTES } from './defaults.js';
import { INVALID_BASE64, NO_IMAGE, SERVER_BUSY } from './errors.js';
import { seedError, v1Error } from './schemas.js';

const TOO_LARGE = `Request body too large: the limit is ${DEFAULT_MAX_BODY_BYTES} bytes`;

/** Every error an API route may answer: when, and an example in each flavour. */
const ERRORS = {
  400: {
    description: 'A missing, null or empty image, bad base64, an undecodable image, a body that is no JSON object',
    seed: NO_IMAGE,
    v1: [INVALID_BASE64, 'INVALID_BASE64'],
  },
  401: {
    description: 'API keys are on and the request has none, or a wrong one (`WWW-Authenticate: Bearer`)',
    seed: 'Invalid API key',
    v1: ['Invalid API key', 'UNAUTHORIZED'],
  },
  413: {
    description: 'The body is over MAX_BODY_MB, or the image over the pixel limit',
    seed: TOO_LARGE,
    v1: [TOO_LARGE, 'PAYLOAD_TOO_LARGE'],
  },
  415: {
    description: 'A Content-Type the route does not take (/predict: JSON; /v1/analyze: JSON, image/*, multipart)',
    seed: 'Content-Type must be application/json',
    v1: ['Content-Type must be application/json, image/* or multipart/form-data', 'UNSUPPORTED_MEDIA_TYPE'],
  },
  429: {
    description: 'Over the rate limit (RATE_LIMIT): see `Retry-After` and the `RateLimit-*` headers',
    seed: 'Too many requests',
    v1: ['Too many requests', 'RATE_LIMITED'],
  },
  500: {
    description: 'An internal fault (logged; no stack trace is sent)',
    seed: 'Internal server error',
    v1: ['Internal server error', 'INTERNAL'],
  },
  503: {
    description: 'The admission queue is full (`Retry-After: 1`), or the engine failed to load',
    seed: SERVER_BUSY,
    v1: [SERVER_BUSY, 'SERVER_BUSY'],
  },
} as const;

export function errorResponses(flavour: 'seed' | 'v1') {
  return Object.fromEntries(
    Object.entries(ERRORS).map(([status, { description, seed, v1 }]) => {
      const [schema, example] =
        flavour === 'seed' ? [seedError, { error: seed }] : [v1Error, { error: v1[0], code: v1[1] }];
      return [status, { description, content: { 'application/json': { schema, example } } }];
    }),
  );
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The security requirement of a keyed route: either scheme (routes/docs.ts registers both). */
export const keySecurity = (keys: boolean): Record<string, string[]>[] =>
  keys ? [{ bearer: [] }, { apiKeyHeader: [] }] : [];
