/**
 * The hostile-input corpus (hostile/cases.ts) against the real server process: every case gets
 * its answer (a 4xx with a clear message, or a 200 with the right answer when the input is in
 * fact valid), never a 5xx or a hang, and a valid request is answered right after each one.
 */
import { writeFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HAPPY_FACE, type RunningServer, readFace, startServer } from '@emotion/test-support';
import { hostileCases, type HostileCase } from './hostile/cases.js';

const face = readFace(HAPPY_FACE);
const cases = hostileCases(face, 'HAPPY');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ LOG_REQUESTS: '0' });
}, 60_000);
afterAll(() => {
  server?.child.kill('SIGKILL');
});

async function send(c: HostileCase): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${c.path}`, {
    method: 'POST',
    headers: c.contentType ? { 'Content-Type': c.contentType } : {},
    body: new Uint8Array(c.body),
    // A hang is a failure, not a stuck suite.
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

describe('hostile input against the real server', { timeout: 60_000 }, () => {
  it('has at least 50 kinds, on both routes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    expect(cases.some((c) => c.path === '/predict')).toBe(true);
    expect(cases.some((c) => c.contentType?.startsWith('multipart/'))).toBe(true);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    // bench/soak.mjs --hostile mixes the corpus into its load.
    const out = process.env.HOSTILE_CORPUS_OUT;
    if (out) writeFileSync(out, JSON.stringify(cases.map((c) => ({ ...c, body: c.body.toString('base64') }))));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { status, body } = await send(c);
    expect(status, JSON.stringify(body)).toBe(c.status);
    if (status >= 400) {
      expect(typeof body.error).toBe('string');
      if (c.error !== undefined) expect(body.error).toMatch(c.error);
    } else if (c.path === '/predict') {
      expect(body).toEqual({ emotion: c.emotion });
    } else {
      const faces = body.faces as { emotion: string }[];
      if (c.faces !== undefined) expect(faces).toHaveLength(c.faces);
      if (c.emotion !== undefined) expect(faces[0]?.emotion).toBe(c.emotion);
    }
    // The server is still well: a valid request right after gets its right answer.
    const after = await send({
      name: 'valid',
      path: '/predict',
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify({ image: face.toString('base64') })),
      status: 200,
    });
    expect(after).toEqual({ status: 200, body: { emotion: 'HAPPY' } });
  });

  it('logged no internal error', () => {
    // The one report allowed: the two lines for the decoder panic that decode_rgb catches (fuzz
    // regression decode-panic-zune-jpeg-upsampler.jpg).
    const caughtPanic = /^emotion: caught a panic: .*zune-jpeg.*\n.*\n/gm;
    expect(server.output().replace(caughtPanic, '')).not.toMatch(/failed|Internal|panic/);
  });
});
