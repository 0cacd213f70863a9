/**
 * Prometheus metrics (prom-client), one registry per app so tests and several apps in one
 * process do not mix their counts. Served at GET /metrics, or on its own listener
 * (METRICS_PORT).
 */
import type { EmotionLabel, Face } from '@emotion/core';
import type { MiddlewareHandler } from 'hono';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

import type { ServerEnv } from './context.js';

/** Upper bounds in seconds: from a cache-warm small image to a slow one on a loaded machine. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route'>;
  inferenceSeconds: Histogram<'operation'>;
  queueDepth: Gauge;
  /** Where queueDepth reads the admission's depth at each scrape. */
  watchQueue(depth: () => number): void;
  queueLimit: Gauge;
  busyRefusals: Counter;
  rateLimitRefusals: Counter;
  authRefusals: Counter;
  facesPerImage: Histogram;
  emotions: Counter<'operation' | 'label'>;
  engineLoadSeconds: Gauge;
  streamsOpen: Gauge;
  /** Streams refused at the upgrade or closed by a limit, by reason. */
  streamRefusals: Counter<'reason'>;
  /** Answers not sent because the client had not read the earlier ones (STREAM_MAX_BUFFERED_KB). */
  streamAnswersDropped: Counter;
}

/** `processMetrics`: also prom-client's default Node process metrics (CPU, memory, event loop, GC). */
export function createMetrics({ processMetrics = false } = {}): Metrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let depth = () => 0;
  return {
    watchQueue: (source) => {
      depth = source;
    },
    registry,
    requests: new Counter({
      name: 'emotion_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'emotion_http_request_duration_seconds',
      help: 'Time from a request’s arrival to its answer, by method and route',
      labelNames: ['method', 'route'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    inferenceSeconds: new Histogram({
      name: 'emotion_inference_duration_seconds',
      help: 'Time of one engine call (decode, detection, landmarks, emotions), waiting for a thread included',
      labelNames: ['operation'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'emotion_admission_in_flight',
      help: 'Requests with an inference running or waiting for a thread',
      registers,
      collect() {
        this.set(depth());
      },
    }),
    queueLimit: new Gauge({ name: 'emotion_admission_limit', help: 'MAX_QUEUE: admitted requests at most', registers }),
    busyRefusals: new Counter({
      name: 'emotion_server_busy_total',
      help: 'Requests refused with 503 "Server busy" because the admission queue was full',
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'emotion_rate_limited_total',
      help: 'Requests refused with 429 by the rate limit',
      registers,
    }),
    authRefusals: new Counter({
      name: 'emotion_unauthorized_total',
      help: 'Requests refused with 401: no API key or a wrong one',
      registers,
    }),
    facesPerImage: new Histogram({
      name: 'emotion_faces_per_image',
      help: 'Faces found per analysed image (/v1/analyze)',
      buckets: [0, 1, 2, 3, 5, 10, 20, 32],
      registers,
    }),
    emotions: new Counter({
      name: 'emotion_emotions_total',
      help: 'Emotions answered, by operation and label (analyze: each face’s top emotion; predict: the seed answer)',
      labelNames: ['operation', 'label'],
      registers,
    }),
    engineLoadSeconds: new Gauge({
      name: 'emotion_engine_load_seconds',
      help: 'How long the engine took to load its models',
      registers,
    }),
    streamsOpen: new Gauge({ name: 'emotion_streams_open', help: 'Live streams (/v1/stream) open', registers }),
    streamRefusals: new Counter({
      name: 'emotion_stream_refusals_total',
      help: 'Live streams refused or closed by a limit, by reason (caller_cap, server_cap, idle, frame_timeout, heartbeat)',
      labelNames: ['reason'],
      registers,
    }),
    streamAnswersDropped: new Counter({
      name: 'emotion_stream_answers_dropped_total',
      help: 'Stream answers not sent because the client had not read the earlier ones',
      registers,
    }),
  };
}

/** Counts each answer and its time by the route that served it (a bounded set, unlike paths). */
export function countRequests(metrics: Metrics): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const route = c.req.routePath;
    metrics.requests.inc({ method: c.req.method, route, status: c.res.status });
    metrics.requestSeconds.observe({ method: c.req.method, route }, (performance.now() - start) / 1000);
  };
}

/** Times an engine call and counts what it found. */
export async function observeInference<T extends Face[] | EmotionLabel | null>(
  metrics: Metrics,
  operation: 'analyze' | 'predict',
  call: () => Promise<T>,
): Promise<T> {
  const stop = metrics.inferenceSeconds.startTimer({ operation });
  const result = await call();
  stop();
  const found: Face[] | EmotionLabel | null = result;
  if (Array.isArray(found)) {
    metrics.facesPerImage.observe(found.length);
    for (const face of found) metrics.emotions.inc({ operation, label: face.emotion });
  } else {
    // /predict's own answer, as the seed service words it.
    metrics.emotions.inc({ operation, label: found?.toUpperCase() ?? 'No face detected' });
  }
  return result;
}
