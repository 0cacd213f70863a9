/**
 * The engine as the routes see it: loading, loaded or failed, timed and counted, and reached
 * only through admission (admission.ts): `infer` for HTTP requests (refused at once when the
 * queue is full), `inferFrame` for stream frames (which wait their turn within the streams'
 * share).
 */
import type { MiddlewareHandler } from 'hono';

import { type Admission, createAdmission } from './admission.js';
import type { ServerEngine } from './answers.js';
import { RequestError, ServerBusyError } from './errors.js';
import { type Metrics, observeInference } from './metrics.js';
import type { InferFrame } from './stream.js';

export interface EngineSlot {
  admission: Admission;
  /** The loaded engine, or undefined while it loads or after it failed. */
  readonly ready: ServerEngine | undefined;
  /** Why the engine failed to load, once it has. */
  readonly loadError: unknown;
  infer<T>(run: (engine: ServerEngine) => Promise<T>): Promise<T>;
  inferFrame: InferFrame;
  /** Refuses a request before its body is read when every slot is taken. */
  shed: MiddlewareHandler;
}

export function createEngineSlot(
  engine: ServerEngine | Promise<ServerEngine>,
  maxQueue: number,
  metrics: Metrics,
): EngineSlot {
  let ready: ServerEngine | undefined;
  let loadError: unknown;
  const loadStart = performance.now();
  const adopt = (loaded: ServerEngine) => {
    metrics.engineLoadSeconds.set((performance.now() - loadStart) / 1000);
    ready = instrumented(loaded, metrics);
    return ready;
  };
  // An engine given as it is (not a promise) is ready from the first request on.
  const loading =
    engine instanceof Promise
      ? engine.then(adopt, (error: unknown) => {
          loadError = error;
          throw error;
        })
      : Promise.resolve(adopt(engine));
  loading.catch(() => {}); // reported by /health and the routes, not as an unhandled rejection
  const getEngine = async (): Promise<ServerEngine> => {
    if (ready) return ready;
    if (loadError !== undefined)
      throw new RequestError(503, 'ENGINE_UNAVAILABLE', 'The engine failed to load; see the server log');
    return loading;
  };

  const admission = createAdmission(maxQueue);
  metrics.queueLimit.set(admission.limit);
  metrics.watchQueue(() => admission.inFlight);

  const run = async <T>(release: () => void, call: (engine: ServerEngine) => Promise<T>): Promise<T> => {
    try {
      return await call(await getEngine());
    } finally {
      release();
    }
  };

  return {
    admission,
    get ready() {
      return ready;
    },
    get loadError() {
      return loadError;
    },
    infer: (call) => {
      const release = admission.tryAcquire();
      if (!release) return Promise.reject(new ServerBusyError(1));
      return run(release, call);
    },
    inferFrame: async (call, signal) => {
      const release = await admission.acquireForStream(signal);
      return release ? run(release, call) : undefined;
    },
    // @hono/node-server drains the unread body or closes the connection.
    shed: async (_c, next) => {
      if (admission.full) throw new ServerBusyError(1);
      await next();
    },
  };
}

/** The engine, timed and counted in `metrics`. */
function instrumented(engine: ServerEngine, metrics: Metrics): ServerEngine {
  return {
    analyze: (...args) => observeInference(metrics, 'analyze', () => engine.analyze(...args)),
    dominantEmotion: (...args) => observeInference(metrics, 'predict', () => engine.dominantEmotion(...args)),
  };
}
