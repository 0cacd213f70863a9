/**
 * GET /v1/stream: a WebSocket for live video. The client sends each frame as a binary message
 * (JPEG, PNG, WebP…); the server answers each frame it analyses with the faces, tracked from
 * frame to frame (stable ids) and smoothed over time (tracker.ts), raw values alongside.
 *
 * Backpressure: one inference per connection at a time, and one frame waiting. A frame that
 * arrives while another waits replaces it (the stale one is dropped and counted), so a client
 * sending faster than inference runs gets answers about its newest frames, with latency
 * bounded by about two inference times, and the server holds at most two frames per client.
 * Message shapes: README.md, "Live stream".
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';

import { analyzeAnswer, type ServerEngine } from './app.js';
import { toHttpFailure } from './errors.js';
import { FaceTracker } from './tracker.js';

export const DEFAULT_TIME_CONSTANT_MS = 500;
const MAX_TIME_CONSTANT_MS = 60_000;

/** Runs an inference through the server's admission control (MAX_QUEUE). */
export type Infer = <T>(run: (engine: ServerEngine) => Promise<T>) => Promise<T>;

interface StreamSettings {
  timeConstantMs: number;
  landmarks: boolean;
}

/** The route's handlers: the query is checked (400 before any upgrade), then the upgrade. */
export function streamRoute(
  upgradeWebSocket: UpgradeWebSocket,
  infer: Infer,
): [MiddlewareHandler, MiddlewareHandler, MiddlewareHandler] {
  const checkQuery: MiddlewareHandler = async (c, next) => {
    const settings = readSettings(c);
    if (typeof settings === 'string') return c.json({ error: settings, code: 'INVALID_REQUEST' }, 400);
    await next();
  };
  const upgrade = upgradeWebSocket((c) => {
    // Checked by checkQuery just before.
    const session = new StreamSession(readSettings(c) as StreamSettings, infer);
    return {
      onOpen: (_event, ws) => session.open(ws),
      onMessage: (event, ws) => session.message(event.data, ws),
      onClose: () => session.close(),
    };
  });
  const upgradeOnly: MiddlewareHandler = async (c, next) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      return c.json(
        { error: 'This route is a WebSocket: send an Upgrade: websocket request', code: 'UPGRADE_REQUIRED' },
        426,
      );
    await next();
  };
  return [upgradeOnly, checkQuery, upgrade];
}

function readSettings(c: Context): StreamSettings | string {
  const tau = c.req.query('tau');
  const landmarks = c.req.query('landmarks');
  const timeConstantMs = tau === undefined ? DEFAULT_TIME_CONSTANT_MS : Number(tau);
  if (tau !== undefined && (!/^\d+$/.test(tau) || timeConstantMs > MAX_TIME_CONSTANT_MS))
    return `tau must be a whole number of milliseconds from 0 to ${MAX_TIME_CONSTANT_MS}`;
  if (landmarks !== undefined && !['0', '1', 'true', 'false'].includes(landmarks))
    return 'landmarks must be 0, 1, true or false';
  return { timeConstantMs, landmarks: landmarks === '1' || landmarks === 'true' };
}

interface Frame {
  bytes: Uint8Array;
  /** 1 for the connection's first frame, 2 for the next… */
  seq: number;
  receivedAt: number;
}

class StreamSession {
  private readonly tracker: FaceTracker;
  private received = 0;
  private dropped = 0;
  private waiting: Frame | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly settings: StreamSettings,
    private readonly infer: Infer,
  ) {
    this.tracker = new FaceTracker({ timeConstantMs: settings.timeConstantMs });
  }

  open(ws: WSContext): void {
    send(ws, { type: 'ready', tau: this.settings.timeConstantMs, landmarks: this.settings.landmarks });
  }

  message(data: unknown, ws: WSContext): void {
    if (!(data instanceof ArrayBuffer)) {
      send(ws, {
        type: 'error',
        code: 'BAD_MESSAGE',
        message: 'Send each frame as a binary message (JPEG, PNG, WebP…)',
      });
      return;
    }
    this.received++;
    if (this.waiting) this.dropped++;
    this.waiting = { bytes: new Uint8Array(data), seq: this.received, receivedAt: performance.now() };
    if (!this.running) void this.drain(ws);
  }

  close(): void {
    this.closed = true;
    this.waiting = undefined;
  }

  /** Analyses the waiting frame, then the one that arrived meanwhile, until none waits. */
  private async drain(ws: WSContext): Promise<void> {
    this.running = true;
    while (this.waiting && !this.closed) {
      const frame = this.waiting;
      this.waiting = undefined;
      try {
        const faces = await this.infer((engine) => engine.analyze(frame.bytes));
        if (this.closed) break;
        const smoothed = this.tracker.update(faces, frame.receivedAt);
        const answered = analyzeAnswer(faces, this.settings.landmarks).faces;
        send(ws, {
          type: 'faces',
          frame: frame.seq,
          dropped: this.dropped,
          latencyMs: Math.round(performance.now() - frame.receivedAt),
          // The tracker answers one entry per face, in the same order.
          faces: answered.flatMap((face, index) => {
            const tracked = smoothed[index];
            if (!tracked) return [];
            const { id, emotion, emotions } = tracked;
            return [{ id, ...face, emotion, emotions, raw: { emotion: face.emotion, emotions: face.emotions } }];
          }),
        });
      } catch (error) {
        const failure = toHttpFailure(error);
        if (failure.status === 500) console.error('/v1/stream: a frame failed:', error);
        send(ws, { type: 'error', frame: frame.seq, code: failure.code, message: failure.message });
      }
    }
    this.running = false;
  }
}

function send(ws: WSContext, message: object): void {
  if (ws.readyState === 1) ws.send(JSON.stringify(message));
}
