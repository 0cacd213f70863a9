/**
 * The page's end of GET /v1/stream (README, "Live stream"): frames go out as binary messages,
 * answers come back tracked and smoothed. Two frames may be in flight, so the server has the
 * next one as soon as it finishes the last; it drops any staler ones itself.
 */
import type { StreamMessage } from '@emotion/core/wire';

import { keyForStream, streamProtocols } from './api-key.js';

/** The server's messages (the wire contract, @emotion/core/wire). */
export type StreamAnswer = Extract<StreamMessage, { type: 'faces' }>;
type StreamError = Extract<StreamMessage, { type: 'error' }>;
type Message = StreamMessage;

const MAX_IN_FLIGHT = 2;
const STREAM_PATH = '/v1/stream';

export class FrameStream {
  private sent = 0;
  private settled = 0;
  private wake: (() => void) | undefined;
  onAnswer: (answer: StreamAnswer) => void = () => {};
  onFrameError: (error: StreamError) => void = () => {};
  onClose: () => void = () => {};

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => this.receive(event.data));
    socket.addEventListener('close', () => {
      this.wake?.();
      this.onClose();
    });
  }

  /**
   * Connects, or resolves null when the server offers no stream (then use HTTP). With keys on,
   * the key goes as a subprotocol; a stream refused before a key was known asks for one (as a
   * request does) and connects again with it.
   */
  static async open(query: Record<string, string>, timeoutMs = 5000): Promise<FrameStream | null> {
    if (typeof WebSocket === 'undefined') return null;
    const url = new URL(STREAM_PATH, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const stream = await FrameStream.connect(url, timeoutMs);
    if (stream || !(await keyForStream(STREAM_PATH))) return stream;
    return FrameStream.connect(url, timeoutMs);
  }

  private static connect(url: URL, timeoutMs: number): Promise<FrameStream | null> {
    return new Promise((resolve) => {
      const socket = new WebSocket(url, streamProtocols());
      socket.binaryType = 'arraybuffer';
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (stream: FrameStream | null) => {
        clearTimeout(timer);
        socket.removeEventListener('message', onReady);
        if (!stream && socket.readyState <= WebSocket.OPEN) socket.close();
        resolve(stream);
      };
      const onReady = (event: MessageEvent) => {
        if (typeof event.data === 'string' && (JSON.parse(event.data) as Message).type === 'ready') {
          finish(new FrameStream(socket));
        }
      };
      socket.addEventListener('message', onReady);
      socket.addEventListener('error', () => finish(null));
      socket.addEventListener('close', () => finish(null));
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Resolves once fewer than two frames are in flight (or the stream closed). */
  async ready(): Promise<void> {
    while (this.open && this.sent - this.settled >= MAX_IN_FLIGHT) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async send(frame: Blob): Promise<void> {
    if (!this.open) return;
    this.socket.send(await frame.arrayBuffer());
    this.sent++;
  }

  close(): void {
    this.socket.close();
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    const message = JSON.parse(data) as Message;
    if (message.type === 'ready') return;
    // An answer for frame n settles it and every earlier frame (answered, or dropped by the server).
    if (message.frame !== undefined) this.settled = Math.max(this.settled, message.frame);
    if (message.type === 'faces') this.onAnswer(message);
    else this.onFrameError(message);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
