/**
 * The HTTP app, composed from its route modules (routes/): the engine slot (engine-slot.ts)
 * holds the engine and its admission; the guards (guards.ts) run before every API route; each
 * route module declares its routes once, for the router and for the OpenAPI document.
 * Production features are opt-in (AppOptions): API keys, rate limits, CORS origins; with none
 * the API is open, as the seed's was. Tests drive the app with `app.request()`, no socket.
 */
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';

import { upgradeWebSocket } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { WebSocketServer } from 'ws';

import type { ServerEngine } from './answers.js';
import { chooseStreamProtocol } from './auth.js';
import type { AppOptions } from './app-options.js';
import { defaultStreamLimits } from './config.js';
import type { ServerEnv } from './context.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_QUEUE_PER_THREAD } from './defaults.js';
import { createEngineSlot } from './engine-slot.js';
import { apiGuards, bodyLimit } from './guards.js';
import { countRequests, createMetrics } from './metrics.js';
import { createOpenStreams } from './open-streams.js';
import { handleErrors } from './replies.js';
import { logRequests } from './request-log.js';
import { analyzeRoutes } from './routes/analyze.js';
import { registerDocs } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { predictRoutes } from './routes/predict.js';
import { streamRoutes } from './routes/stream.js';
import { DEFAULT_WEB_ROOT, webRoutes } from './routes/web.js';
import { securityHeaders } from './security-headers.js';
import { streamHandlers } from './stream.js';
import { createStreamServer, guardUpgrades } from './websocket.js';

export { analyzeAnswer, type ServerEngine } from './answers.js';
export type { AppOptions } from './app-options.js';
export { DEFAULT_MAX_BODY_BYTES } from './defaults.js';
export { metricsHandler } from './routes/metrics.js';
export { base64Payload } from './routes/predict.js';
export { DEFAULT_WEB_ROOT } from './routes/web.js';

/** The routes, plus what the HTTP server must do for the WebSocket route. */
export type EmotionApp = OpenAPIHono<ServerEnv> & {
  streams: {
    /** For `serve({ websocket })`: the WebSocket server behind /v1/stream. */
    websocket: { server: WebSocketServer };
    /** Guards the server's upgrade path (websocket.ts); call once, right after `serve`. */
    attach(server: Server): void;
    /** Closes every open stream (1001, going away) and cuts those that do not answer, e.g. on shutdown. */
    closeAll(): void;
  };
};

export function createApp(engine: ServerEngine | Promise<ServerEngine>, options: AppOptions = {}): EmotionApp {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metrics = options.metrics ?? createMetrics();
  const keys = options.apiKeys ?? [];
  const trustProxy = options.trustProxy ?? 0;
  const limits = options.streamLimits ?? defaultStreamLimits();
  const slot = createEngineSlot(engine, options.maxQueue ?? DEFAULT_QUEUE_PER_THREAD * availableParallelism(), metrics);
  const guards = apiGuards({ ...options, keys, trustProxy, corsOrigins: options.corsOrigins ?? '*', metrics });
  const limitBody = bodyLimit(maxBodyBytes);
  const { buckets } = guards;

  const app = new OpenAPIHono<ServerEnv>();
  // Every answer, refusals included: an id (the caller's X-Request-Id when sane), counted, logged.
  app.use(requestId());
  app.use(countRequests(metrics));
  if (options.logger && options.logRequests !== false) app.use(logRequests(options.logger, trustProxy));
  app.use(securityHeaders());
  for (const path of ['/predict', '/v1/*']) app.use(path, ...guards.middleware);
  app.onError(handleErrors(metrics, options.logger));

  const stream = streamHandlers(upgradeWebSocket, {
    inferFrame: slot.inferFrame,
    limits,
    openStreams: createOpenStreams(limits.maxPerCaller, limits.maxOpen, options.streamLeases),
    callerOf: guards.callerOf,
    charge: buckets ? (caller) => buckets.take(caller, Date.now()) : undefined,
    metrics,
    logger: options.logger,
  });
  app.route('/', healthRoutes(slot, options.draining ?? (() => false)));
  app.route('/', predictRoutes(slot, limitBody, keys.length > 0));
  app.route('/', analyzeRoutes(slot, limitBody, keys.length > 0));
  app.route('/', streamRoutes(stream, keys.length > 0));
  if (options.serveMetrics !== false) app.route('/', metricsRoutes(metrics, keys));
  registerDocs(app);
  const webRoot = options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot;
  if (webRoot !== null) app.route('/', webRoutes(webRoot));

  // A frame may be as large as a request body.
  const wss = createStreamServer({
    maxPayload: maxBodyBytes,
    handleProtocols: (offered) => chooseStreamProtocol(offered) ?? false,
  });
  return Object.assign(app, {
    streams: { websocket: { server: wss }, attach: guardUpgrades, closeAll: stream.registry.closeAll },
  });
}
