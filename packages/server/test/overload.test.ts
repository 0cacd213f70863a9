/**
 * The real process under overload: INFERENCE_THREADS sizes the engine's threads, and past MAX_QUEUE
 * requests get 503 "Server busy" while every accepted one still gets its own right answer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { dataUrl, HAPPY_FACE, type RunningServer, readFace, SAD_FACE, startServer } from '@emotion/test-support';

const servers: RunningServer[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({ LOG_REQUESTS: '0', ...env });
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  type: string | undefined;
  text: string;
}

/**
 * A POST /predict on a connection of its own, sent in two steps: `ready` resolves once the
 * headers and all but the last byte of the body are written; `finish()` sends that byte.
 * The server cannot start a request before its body is complete.
 */
function splitRequest(port: number, body: Buffer) {
  let finish!: () => void;
  let ready!: Promise<void>;
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/predict',
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            type: res.headers['content-type'],
            text,
          }),
        );
      },
    );
    req.on('error', reject);
    ready = new Promise<void>((written) => req.write(body.subarray(0, -1), () => written()));
    finish = () => req.end(body.subarray(-1));
  });
  return { answer, ready, finish: () => finish() };
}

async function predict(url: string, body: Buffer): Promise<Answer> {
  const response = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after') ?? undefined,
    type: response.headers.get('content-type') ?? undefined,
    text: await response.text(),
  };
}

const health = async (url: string) =>
  (await fetch(`${url}/health`)).json() as Promise<{ inFlight: number; maxQueue: number }>;

const body = (face: string) => Buffer.from(JSON.stringify({ image: dataUrl(readFace(face), 'image/jpeg') }));

describe('the server process under load', { timeout: 90_000 }, () => {
  it('MAX_QUEUE=2, INFERENCE_THREADS=1: 30 requests at once get 200 with the right emotion or 503 "Server busy"', async () => {
    const server = await start({ INFERENCE_THREADS: '1', MAX_QUEUE: '2' });
    expect(await health(server.url)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 2 });

    const faces = [HAPPY_FACE, SAD_FACE];
    const bodies = faces.map(body);
    // What a lone request answers for each face.
    const alone: Answer[] = [];
    for (const b of bodies) alone.push(await predict(server.url, b));
    expect(alone.map((a) => [a.status, a.text])).toEqual([
      [200, '{"emotion":"HAPPY"}\n'],
      [200, '{"emotion":"SAD"}\n'],
    ]);

    // 30 requests, happy and sad alternately, each on its own connection, every body but its
    // last byte already sent; then the last bytes all go out in one synchronous loop. The
    // server sees 30 complete requests at once, and one thread cannot finish 28 inferences
    // in between: with a queue of 2, the overflow is certain, not a matter of timing.
    const COUNT = 30;
    const requests = Array.from({ length: COUNT }, (_, i) => splitRequest(server.port, bodies[i % 2]!));
    await Promise.all(requests.map((r) => r.ready));
    for (const r of requests) r.finish();
    const answers = await Promise.all(requests.map((r) => r.answer));

    let accepted = 0;
    let refused = 0;
    answers.forEach((answer, i) => {
      if (answer.status === 200) {
        accepted++;
        expect(answer).toEqual(alone[i % 2]);
      } else {
        refused++;
        expect(answer).toEqual({
          status: 503,
          retryAfter: '1',
          type: 'application/json',
          text: '{"error":"Server busy"}\n',
        });
      }
    });
    expect(accepted + refused).toBe(COUNT); // nothing but 200 and 503
    // The first two find free slots whatever the timing; the rest cannot all fit.
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(refused).toBeGreaterThanOrEqual(1);

    // Capacity comes back: nothing is left in flight, and two requests at once both get in.
    expect(await health(server.url)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 2 });
    expect(await Promise.all(bodies.map((b) => predict(server.url, b)))).toEqual(alone);
  });

  it('clients that hang up mid-request leave no slot taken', async () => {
    const server = await start({ INFERENCE_THREADS: '1', MAX_QUEUE: '2' });
    const happy = body(HAPPY_FACE);
    for (let i = 0; i < 4; i++) {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        path: '/predict',
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': happy.length },
      });
      req.on('error', () => {}); // the hang-up is the point
      req.end(happy, () => setImmediate(() => req.destroy()));
    }
    // Wait (polling, with a generous bound) until every inference the hang-ups started is over…
    let state = await health(server.url);
    for (let i = 0; i < 200 && state.inFlight > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = await health(server.url);
    }
    expect(state.inFlight).toBe(0);
    // …then both slots are free: two requests at once both get in.
    const answers = await Promise.all([predict(server.url, happy), predict(server.url, happy)]);
    expect(answers.map((a) => [a.status, a.text])).toEqual([
      [200, '{"emotion":"HAPPY"}\n'],
      [200, '{"emotion":"HAPPY"}\n'],
    ]);
  });

  it.each([
    ['INFERENCE_THREADS', 'many'],
    ['MAX_QUEUE', '0'],
  ])('a bad %s=%s stops the server at start-up, saying why', async (name, value) => {
    await expect(startServer({ [name]: value })).rejects.toThrow(
      new RegExp(`exited \\(1\\)[\\s\\S]*${name} must be a whole number`),
    );
  });

  it.runIf(existsSync('/proc/self/task'))("INFERENCE_THREADS really sizes the engine's threads", async () => {
    // Two processes identical but for INFERENCE_THREADS: 3 threads against 1 is 2 more.
    const threads = (server: RunningServer) => readdirSync(`/proc/${server.child.pid}/task`).length;
    const one = await start({ INFERENCE_THREADS: '1' });
    const three = await start({ INFERENCE_THREADS: '3' });
    expect(threads(three) - threads(one)).toBe(2);
    expect(one.output()).toMatch(/inference threads: 1, queue: 4\)/);
    expect(three.output()).toMatch(/inference threads: 3, queue: 12\)/);
  });
});
