/**
 * GET /v1/stream: a WebSocket for live video. The client sends each frame as a binary message
 * (JPEG, PNG, WebP…); the server answers each frame it analyses with the faces, tracked from
 * frame to frame (stable ids) and smoothed over time (tracker.ts), raw values alongside.
 *
 * What one stream may cost is bounded, whatever its client does:
 * - Frames: one inference per connection at a time, and one frame waiting. A frame that
 *   arrives while another waits replaces it (the stale one is dropped and counted), so the
 *   server holds at most two frames per stream, each at most MAX_BODY_MB (ws's maxPayload).
 * - Answers: past STREAM_MAX_BUFFERED_KB of answers the client has not read, new answers are
 *   dropped and counted instead of queued (ws would buffer them without limit).
 * - Time: a frame must arrive whole within REQUEST_TIMEOUT_MS, as a request body must; the
 *   server pings every STREAM_HEARTBEAT_MS and cuts a client that missed the last pong (a
 *   client that never reads, or is gone); a stream without a frame for STREAM_IDLE_TIMEOUT_MS
 *   is closed.
 * - Inference: frames take turns for the streams' share of the admission slots (admission.ts)
 *   and each analysed frame takes a token from the caller's rate-limit bucket.
 * - Count: STREAM_MAX_PER_CALLER and STREAM_MAX_OPEN (open-streams.ts).
 * Message shapes: README.md, "Live stream".
 */
import type { Socket } from 'node:net';

import { FaceTracker } from '@emotion/core';
import type { Context, MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { Logger } from 'pino';
import type { EmotionLabel } from '@emotion/core';
import type { StreamMessage, WireScore } from '@emotion/core/wire';
import type { WebSocketLike } from '@hono/node-server';
import type WebSocket from 'ws';

import { analyzeAnswer, type ServerEngine } from './answers.js';
import type { StreamLimits } from './types.js';
import type { ServerEnv } from './context.js';
import { toHttpFailure } from './errors.js';
import type { Metrics } from './metrics.js';
import type { OpenStreams, StreamLease } from './open-streams.js';
import type { StreamQuery } from './schemas.js';
import type { TakeResult } from './rate-limit.js';

/** How long a client gets to answer the server's close frame before its socket is cut. */
export const CLOSE_GRACE_MS = 2_000;

/** Runs a frame's inference once a stream slot is free; undefined if `signal` aborts first. */
export type InferFrame = <T>(run: (engine: ServerEngine) => Promise<T>, signal: AbortSignal) => Promise<T | undefined>;

export interface StreamDeps {
  inferFrame: InferFrame;
  limits: StreamLimits;
  openStreams: OpenStreams;
  /** Who the request is, for the caps and the rate limit: the key's name, else the address. */
  callerOf: (c: Context<ServerEnv>) => string;
  /** Takes one token from the caller's rate-limit bucket; absent: no rate limit. */
  charge?: (caller: string) => Promise<TakeResult> | TakeResult;
  metrics: Metrics;
  logger?: Logger;
}

type Handler = MiddlewareHandler<ServerEnv>;

interface StreamSettings {
  timeConstantMs: number;
  landmarks: boolean;
}

/** Every open stream, for shutdown. */
export interface StreamRegistry {
  /** Sends 1001 to every stream and cuts those whose client has not closed after CLOSE_GRACE_MS. */
  closeAll(): void;
}

/**
 * The route's pieces: the checks before any upgrade (a WebSocket request; the caller's and the
 * server's stream caps), the upgrade itself (after the query is validated, routes/stream.ts),
 * and the registry of open streams.
 */
export function streamHandlers(
  upgradeWebSocket: UpgradeWebSocket<WebSocketLike>,
  deps: StreamDeps,
): { checks: [Handler, Handler]; upgrade: Handler; registry: StreamRegistry } {
  const sessions = new Set<StreamSession>();
  const upgradeOnly: MiddlewareHandler<ServerEnv> = async (c, next) => {
    // Without `Connection: Upgrade` Node treats the request as plain HTTP: there is no socket to take over.
    const connection = c.req.header('connection')?.toLowerCase() ?? '';
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket' || !/(^|,)\s*upgrade\s*(,|$)/.test(connection))
      return c.json(
        { error: 'This route is a WebSocket: send an Upgrade: websocket request', code: 'UPGRADE_REQUIRED' },
        426,
      );
    await next();
  };
  const checkCaps: MiddlewareHandler<ServerEnv> = async (c, next) => {
    // Rejects with 503 when the caps are fleet-wide, Redis is down and RATE_LIMIT_STORE_FAILURE=closed.
    const refusal = await deps.openStreams.refusal(deps.callerOf(c));
    if (refusal) {
      deps.metrics.streamRefusals.inc({ reason: `${refusal}_cap` });
      c.header('Retry-After', '5');
      return refusal === 'caller'
        ? c.json(
            {
              error: `Too many open streams for this caller: the limit is ${deps.limits.maxPerCaller}`,
              code: 'TOO_MANY_STREAMS',
            },
            429,
          )
        : c.json({ error: 'Too many open streams: try again later', code: 'SERVER_BUSY' }, 503);
    }
    await next();
  };
  const upgrade = upgradeWebSocket((c) => {
    // Validated by the route (routes/stream.ts) just before.
    const { tau, landmarks } = (c as Context<ServerEnv, string, { out: { query: StreamQuery } }>).req.valid('query');
    const settings = { timeConstantMs: tau, landmarks };
    const socket = (c.env as { incoming?: { socket?: Socket } } | undefined)?.incoming?.socket;
    const session = new StreamSession(settings, deps, deps.callerOf(c as Context<ServerEnv>), socket);
    return {
      onOpen: (_event, ws) => {
        sessions.add(session);
        void session.open(ws);
      },
      onMessage: (event) => session.message(event.data),
      onClose: () => {
        sessions.delete(session);
        session.close();
      },
    };
  });
  const registry: StreamRegistry = {
    closeAll: () => {
      for (const session of sessions) session.shutdown();
    },
  };
  return { checks: [upgradeOnly, checkCaps], upgrade, registry };
}

interface Frame {
  bytes: Uint8Array;
  /** 1 for the connection's first frame, 2 for the next… */
  seq: number;
  receivedAt: number;
}

class StreamSession {
  private readonly tracker: FaceTracker;
  private readonly closing = new AbortController();
  private ws: WebSocket | undefined;
  private lease: StreamLease | undefined;
  private timer: NodeJS.Timeout | undefined;
  private received = 0;
  private dropped = 0;
  private answersDropped = 0;
  private waiting: Frame | undefined;
  private running = false;
  // Liveness: frames (any, pings and pongs included) seen, when a frame began to arrive, the pong.
  private framesSeen = 0;
  private framesAtLastData = 0;
  private partialSince: number | undefined;
  private lastFrameAt = performance.now();
  private lastPingAt = performance.now();
  private answeredPing = true;

  constructor(
    private readonly settings: StreamSettings,
    private readonly deps: StreamDeps,
    private readonly caller: string,
    private readonly socket: Socket | undefined,
  ) {
    this.tracker = new FaceTracker({ timeConstantMs: settings.timeConstantMs });
  }

  async open(context: WSContext<WebSocketLike>): Promise<void> {
    // createStreamServer's sockets are ws's: the full WebSocket (bufferedAmount, ping, terminate).
    const ws = context.raw as WebSocket | undefined;
    this.ws = ws;
    // With fleet-wide caps Redis answers this (open-streams.ts): the client may be gone by then,
    // and frames that arrive meanwhile wait (message()) until the stream is counted.
    const lease = await this.deps.openStreams.add(this.caller).catch(() => undefined);
    if (this.closing.signal.aborted) {
      lease?.release();
      return;
    }
    this.lease = lease;
    if (!lease) {
      // Another handshake took the last place while this one completed (open-streams.ts).
      this.deps.metrics.streamRefusals.inc({ reason: 'caps_race' });
      this.end(1013, 'Too many open streams: try again later');
      return;
    }
    this.deps.metrics.streamsOpen.inc();
    const raw = ws;
    const seen = () => {
      this.framesSeen++;
    };
    raw?.on('ping', seen);
    raw?.on('pong', () => {
      seen();
      this.answeredPing = true;
    });
    // ws reads the socket first (its listener came first), so a chunk that completed a frame
    // has counted it by the time this one runs.
    this.socket?.on('data', this.onData);
    this.timer = setInterval(() => this.tick(), Math.min(1_000, this.deps.limits.heartbeatMs));
    this.timer.unref();
    this.send({ type: 'ready', tau: this.settings.timeConstantMs, landmarks: this.settings.landmarks });
    if (this.waiting && !this.running) void this.drain();
  }

  private readonly onData = () => {
    if (this.framesSeen !== this.framesAtLastData) {
      this.framesAtLastData = this.framesSeen;
      this.partialSince = undefined;
    } else {
      this.partialSince ??= performance.now();
    }
  };

  private tick(): void {
    this.lease?.renew();
    const now = performance.now();
    const { frameTimeoutMs, idleTimeoutMs, heartbeatMs } = this.deps.limits;
    if (this.partialSince !== undefined && now - this.partialSince > frameTimeoutMs) {
      this.limitReached('frame_timeout', 1008, `A frame must arrive whole within ${frameTimeoutMs} ms`);
    } else if (now - this.lastFrameAt > idleTimeoutMs) {
      this.limitReached('idle', 1000, `No frame for ${idleTimeoutMs} ms`);
    } else if (now - this.lastPingAt >= heartbeatMs) {
      if (!this.answeredPing) {
        // Gone, or not reading: either way nothing it is sent reaches it.
        this.deps.metrics.streamRefusals.inc({ reason: 'heartbeat' });
        this.ws?.terminate();
        return;
      }
      this.answeredPing = false;
      this.lastPingAt = now;
      this.ws?.ping();
    }
  }

  private limitReached(reason: string, code: number, message: string): void {
    this.deps.metrics.streamRefusals.inc({ reason });
    this.end(code, message);
  }

  /** Sends a close frame, and cuts the socket if the client has not answered it in time. */
  private end(code: number, reason: string): void {
    const raw = this.ws;
    if (!raw || raw.readyState >= 2) return;
    raw.close(code, reason);
    setTimeout(() => raw.terminate(), CLOSE_GRACE_MS).unref();
  }

  shutdown(): void {
    this.end(1001, 'server shutting down');
  }

  message(data: unknown): void {
    this.framesSeen++;
    this.lastFrameAt = performance.now();
    if (!(data instanceof ArrayBuffer)) {
      this.send({
        type: 'error',
        code: 'BAD_MESSAGE',
        message: 'Send each frame as a binary message (JPEG, PNG, WebP…)',
      });
      return;
    }
    this.received++;
    if (this.waiting) this.dropped++;
    this.waiting = { bytes: new Uint8Array(data), seq: this.received, receivedAt: performance.now() };
    if (!this.running && this.lease) void this.drain();
  }

  close(): void {
    this.closing.abort();
    this.waiting = undefined;
    clearInterval(this.timer);
    this.socket?.off('data', this.onData);
    if (this.lease) {
      this.lease.release();
      this.lease = undefined;
      this.deps.metrics.streamsOpen.dec();
    }
  }

  /** Analyses the waiting frame, then the one that arrived meanwhile, until none waits. */
  private async drain(): Promise<void> {
    this.running = true;
    const signal = this.closing.signal;
    while (this.waiting && !signal.aborted) {
      const frame = this.waiting;
      this.waiting = undefined;
      try {
        const verdict = this.deps.charge ? await this.deps.charge(this.caller) : undefined;
        if (verdict && !verdict.allowed) {
          this.send({
            type: 'error',
            frame: frame.seq,
            code: 'RATE_LIMITED',
            message: `Rate limit reached: try again in ${verdict.retryAfterSeconds} s`,
            retryAfter: verdict.retryAfterSeconds,
          });
          continue;
        }
        const faces = await this.deps.inferFrame((engine) => engine.analyze(frame.bytes), signal);
        if (faces === undefined || signal.aborted) break;
        const smoothed = this.tracker.update(faces, frame.receivedAt);
        const answered = analyzeAnswer(faces, this.settings.landmarks).faces;
        this.send({
          type: 'faces',
          frame: frame.seq,
          dropped: this.dropped,
          answersDropped: this.answersDropped,
          latencyMs: Math.round(performance.now() - frame.receivedAt),
          // The tracker answers one entry per face, in the same order.
          faces: answered.flatMap((face, index) => {
            const tracked = smoothed[index];
            if (!tracked) return [];
            // The tracker is label-agnostic; what it smooths here are the engine's seven labels.
            const emotion = tracked.emotion as EmotionLabel;
            const emotions = tracked.emotions as WireScore[];
            return [
              { id: tracked.id, ...face, emotion, emotions, raw: { emotion: face.emotion, emotions: face.emotions } },
            ];
          }),
        });
      } catch (error) {
        const failure = toHttpFailure(error);
        if (failure.status === 500) {
          if (this.deps.logger) this.deps.logger.error({ err: error }, '/v1/stream: a frame failed');
          else console.error('/v1/stream: a frame failed:', error);
        }
        this.send({ type: 'error', frame: frame.seq, code: failure.code, message: failure.message });
      }
    }
    this.running = false;
  }

  /** Sends unless the client is behind on reading: then the answer is dropped and counted. */
  private send(message: StreamMessage): void {
    const raw = this.ws;
    if (raw?.readyState !== 1) return;
    if (raw.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.answersDropped++;
      this.deps.metrics.streamAnswersDropped.inc();
      return;
    }
    raw.send(JSON.stringify(message));
  }
}
