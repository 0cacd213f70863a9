/**
 * GET /v1/stream: the live-video WebSocket, declared for the document and wired to the
 * handlers of stream.ts (what a stream may cost and why: there).
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';

import type { ServerEnv } from '../context.js';
import { json, keySecurity } from '../openapi-common.js';
import { rejectInvalid } from '../replies.js';
import { streamQuery, v1Error } from '../schemas.js';
import type { streamHandlers } from '../stream.js';

export function streamRoutes(handlers: ReturnType<typeof streamHandlers>, keys: boolean) {
  const route = createRoute({
    method: 'get',
    path: '/v1/stream',
    tags: ['v1'],
    summary: 'WebSocket for live video: binary frames in, tracked and smoothed faces out',
    description:
      'Upgrade with `Upgrade: websocket`. Each binary message is a frame (an encoded image); each analysed frame is answered with `{"type":"faces","frame","dropped","answersDropped","latencyMs","faces"}`, where each face has a stable `id`, smoothed `emotion`/`emotions` and the frame\'s own values in `raw`. Browsers present a key as the subprotocol `emotion.key.<base64url(key)>` beside `emotion.v1`. docs/stream.md has the message shapes, the smoothing, the limits and what a client sees at each.',
    security: keySecurity(keys),
    middleware: handlers.checks,
    request: { query: streamQuery },
    // A refused upgrade is answered with its status and headers only (no body: the socket is not HTTP's any more).
    responses: {
      101: { description: 'Switching Protocols: the stream is open' },
      400: { description: 'A bad query' },
      401: { description: 'API keys are on and the request has none, or a wrong one' },
      426: json(v1Error, 'Not a WebSocket upgrade (`UPGRADE_REQUIRED`)'),
      429: {
        description: 'Over the rate limit, or this caller has STREAM_MAX_PER_CALLER streams open (`Retry-After`)',
      },
      503: { description: 'STREAM_MAX_OPEN streams are open (`Retry-After`)' },
    },
  });
  return new OpenAPIHono<ServerEnv>().openapi(
    route,
    // The upgrade answers 101 itself, outside the route's typed answers.
    handlers.upgrade as never,
    rejectInvalid('invalid query'),
  );
}
