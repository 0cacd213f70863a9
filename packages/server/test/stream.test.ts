/**
 * GET /v1/stream against the real server process, with a real WebSocket client: stable ids,
 * smoothing that damps a one-frame flip, errors that keep the stream open, and a flood of
 * frames that is dropped down to the newest rather than queued.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { HAPPY_FACE, type RunningServer, readFace, SAD_FACE, startServer } from '@emotion/test-support';

interface StreamFace {
  id: number;
  emotion: string;
  emotions: { label: string; probability: number }[];
  raw: { emotion: string; emotions: { label: string; probability: number }[] };
  box: { x: number; y: number; width: number; height: number };
  landmarks?: number[][];
}
interface Message {
  type: 'ready' | 'faces' | 'error';
  frame?: number;
  dropped?: number;
  latencyMs?: number;
  faces?: StreamFace[];
  code?: string;
  tau?: number;
}

/** A WebSocket client that queues the server's messages for the test to take in order. */
class Client {
  private readonly queue: Message[] = [];
  private waiters: ((message: Message) => void)[] = [];
  readonly socket: WebSocket;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Message;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
  }

  next(): Promise<Message> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async frame(bytes: Buffer): Promise<Message> {
    this.socket.send(bytes);
    return this.next();
  }

  close(): void {
    this.socket.close();
  }
}

let server: RunningServer;
const happy = readFace(HAPPY_FACE);
const sad = readFace(SAD_FACE);

beforeAll(async () => {
  server = await startServer({ LOG_REQUESTS: '0' });
});
afterAll(() => server?.child.kill('SIGKILL'));

const streamUrl = (query = '') => `${server.url.replace('http', 'ws')}/v1/stream${query}`;

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('GET /v1/stream', { timeout: 120_000 }, () => {
  it('keeps one id for the same face, and smoothing damps a one-frame flip that the raw values show', async () => {
    // A long time constant, so the flip is damped however slowly this busy machine answers.
    const client = new Client(streamUrl('?tau=20000&landmarks=1'));
    expect(await client.next()).toMatchObject({ type: 'ready', tau: 20000, landmarks: true });
    const ids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const answer = await client.frame(happy);
      expect(answer).toMatchObject({ type: 'faces', frame: i + 1, dropped: 0 });
      expect(answer.faces).toHaveLength(1);
      expect(answer.faces![0]!.emotion).toBe('happy');
      expect(answer.faces![0]!.landmarks).toHaveLength(468);
      ids.add(answer.faces![0]!.id);
    }
    const flip = await client.frame(sad);
    const face = flip.faces![0]!;
    ids.add(face.id);
    expect([...ids]).toEqual([1]);
    expect(face.raw.emotion).toBe('sad');
    expect(face.emotion).toBe('happy');
    const smoothedSad = face.emotions.find((e) => e.label === 'sad')!.probability;
    const rawSad = face.raw.emotions.find((e) => e.label === 'sad')!.probability;
    expect(smoothedSad).toBeLessThan(rawSad / 2);
    client.close();
  });

  it('answers a bad frame with an error and goes on with the next', async () => {
    const client = new Client(streamUrl());
    await client.next();
    expect(await client.frame(Buffer.from('not an image at all'))).toMatchObject({
      type: 'error',
      frame: 1,
      code: 'UNSUPPORTED_FORMAT',
    });
    client.socket.send('a text message');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    const answer = await client.frame(happy);
    expect(answer).toMatchObject({ type: 'faces', frame: 2 });
    expect(answer.faces![0]!.raw.emotion).toBe('happy');
    client.close();
  });

  it('under a flood, analyses the newest frames, drops the rest and says how many, in bounded memory', async () => {
    const client = new Client(streamUrl());
    await client.next();
    await client.frame(happy); // warm: the first inference allocates ORT's buffers
    const before = rssBytes(server.child.pid!);
    // 400 frames of 300 kB (a face, then zeros after the JPEG's end marker), sent at once:
    // 120 MB that a server queueing frames would have to hold.
    const padded = Buffer.concat([happy, Buffer.alloc(300_000)]);
    const flood = 400;
    for (let i = 0; i < flood; i++) client.socket.send(padded);
    const answers: Message[] = [];
    let last: Message;
    do {
      last = await client.next();
      answers.push(last);
    } while (last.frame !== flood + 1);
    const after = rssBytes(server.child.pid!);

    expect(answers.every((answer) => answer.type === 'faces')).toBe(true);
    const frames = answers.map((answer) => answer.frame!);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    // Every frame was either analysed or dropped, and most were dropped.
    expect(answers.length + last.dropped!).toBe(flood);
    expect(answers.length).toBeLessThan(flood / 2);
    expect(after - before).toBeLessThan(100 * 1024 * 1024);
    client.close();
  });

  it('refuses a plain GET (426) and a bad time constant (400) before upgrading', async () => {
    expect((await fetch(`${server.url}/v1/stream`)).status).toBe(426);
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(streamUrl('?tau=-5'));
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    expect(status).toBe(400);
  });

  it('with API keys on, refuses an upgrade without the key (401) and opens one that presents it', async () => {
    const key = 'stream-test-key-0123456789';
    const guarded = await startServer({ LOG_REQUESTS: '0', API_KEYS: key });
    try {
      const url = `${guarded.url.replace('http', 'ws')}/v1/stream`;
      const outcome = (headers: Record<string, string>) =>
        new Promise<number>((resolve) => {
          const socket = new WebSocket(url, { headers });
          socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          socket.on('open', () => {
            socket.close();
            resolve(101);
          });
          socket.on('error', () => {});
        });
      expect(await outcome({})).toBe(401);
      expect(await outcome({ Authorization: 'Bearer wrong-key-0123456789' })).toBe(401);
      expect(await outcome({ Authorization: `Bearer ${key}` })).toBe(101);
    } finally {
      guarded.child.kill('SIGKILL');
    }
  });
});
