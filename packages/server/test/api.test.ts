/** Every route and every error of the HTTP API, through `app.request()` (no socket). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEngine, EmotionError, type Engine } from '@emotion/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { base64Payload, createApp, DEFAULT_WEB_ROOT, type ServerEngine } from '../src/app.js';
import { readSettings } from '../src/config.js';
import { dataUrl, gradientPng, HAPPY_FACE, pngClaiming, readFace, SAD_FACE } from '@emotion/test-support';

let engine: Engine;
let app: ReturnType<typeof createApp>;
const happy = readFace(HAPPY_FACE);
const sad = readFace(SAD_FACE);

beforeAll(async () => {
  engine = await createEngine();
  app = createApp(engine, { webRoot: null });
});

const json = (body: unknown, path = '/predict', target = app) =>
  target.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** A JSON answer; which fields it has is what each test asserts. */
interface Answer {
  error?: string;
  code?: string;
  faces: V1Face[];
}
const answerOf = async (response: Response): Promise<Answer> => (await response.json()) as Answer;

/** Status, content type and the exact bytes of a /predict answer. */
async function seedAnswer(response: Response): Promise<[number, string | null, string]> {
  return [response.status, response.headers.get('content-type'), await response.text()];
}

describe('POST /predict (the seed contract)', () => {
  it('answers HAPPY for a happy face, as Flask would write it: compact JSON and a newline', async () => {
    expect(await seedAnswer(await json({ image: dataUrl(happy) }))).toEqual([
      200,
      'application/json',
      '{"emotion":"HAPPY"}\n',
    ]);
  });

  it('answers SAD for a sad face', async () => {
    expect(await seedAnswer(await json({ image: dataUrl(sad, 'image/jpeg') }))).toEqual([
      200,
      'application/json',
      '{"emotion":"SAD"}\n',
    ]);
  });

  it('takes bare base64 too, and ignores other fields', async () => {
    const response = await json({ image: happy.toString('base64'), extra: 1 });
    expect(await response.text()).toBe('{"emotion":"HAPPY"}\n');
  });

  it('answers "No face detected" for an image without a face', async () => {
    const response = await json({ image: dataUrl(gradientPng()) });
    expect(await seedAnswer(response)).toEqual([200, 'application/json', '{"emotion":"No face detected"}\n']);
  });

  it('accepts application/json with a charset', async () => {
    const response = await app.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ image: dataUrl(sad) }),
    });
    expect(await answerOf(response)).toEqual({ emotion: 'SAD' });
  });

  it.each([
    ['no image field', {}],
    ['a null image', { image: null }],
    ['an empty image', { image: '' }],
  ])('%s: 400 "No image provided"', async (_, body) => {
    expect(await seedAnswer(await json(body))).toEqual([400, 'application/json', '{"error":"No image provided"}\n']);
  });

  it('an image that is no string: 400', async () => {
    const response = await json({ image: 42 });
    expect(response.status).toBe(400);
    expect((await answerOf(response)).error).toMatch(/image must be a string/);
  });

  it.each([
    ['junk characters', 'data:image/png;base64,@@@@not-base64!!'],
    ['an impossible length', 'data:image/png;base64,iVBORw0KG'],
    ['bare junk', '%%%%'],
  ])('malformed base64 (%s): 400 "Invalid base64 data"', async (_, image) => {
    expect(await seedAnswer(await json({ image }))).toEqual([
      400,
      'application/json',
      '{"error":"Invalid base64 data"}\n',
    ]);
  });

  it.each([
    ['text, not an image', Buffer.from('hello, this is not an image at all')],
    ['a truncated JPEG', happy.subarray(0, Math.floor(happy.length / 3))],
    ['a PNG with its data cut off', gradientPng().subarray(0, 60)],
    ['an empty payload', Buffer.alloc(0)],
  ])('%s: 400 "Failed to decode image"', async (_, bytes) => {
    expect(await seedAnswer(await json({ image: dataUrl(bytes) }))).toEqual([
      400,
      'application/json',
      '{"error":"Failed to decode image"}\n',
    ]);
  });

  it('a header declaring 20000×20000 pixels: 413 before decoding', async () => {
    const response = await json({ image: dataUrl(pngClaiming(20_000, 20_000)) });
    expect(response.status).toBe(413);
    expect((await answerOf(response)).error).toMatch(/^Image too large/);
  });

  it.each([
    ['not JSON', '{"image": '],
    ['a JSON array', '["data:image/png;base64,AAAA"]'],
    ['a JSON string', '"data:image/png;base64,AAAA"'],
    ['JSON null', 'null'],
  ])('a body that is %s: 400 with an error message', async (_, body) => {
    const response = await json(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = await answerOf(response);
    expect(Object.keys(answer)).toEqual(['error']);
    expect(answer.error).toMatch(/JSON/);
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['no content type', {}],
  ])('%s: 415', async (_, headers) => {
    const response = await app.request('/predict', {
      method: 'POST',
      headers,
      body: JSON.stringify({ image: dataUrl(happy) }),
    });
    expect(response.status).toBe(415);
    expect(await answerOf(response)).toEqual({ error: 'Content-Type must be application/json' });
  });

  it('a body over the limit: 413, whether its length is declared or streamed', async () => {
    const small = createApp(engine, { webRoot: null, maxBodyBytes: 1000 });
    const body = JSON.stringify({ image: dataUrl(happy) });
    const declared = await json(body, '/predict', small);
    expect(declared.status).toBe(413);
    expect((await answerOf(declared)).error).toMatch(/limit is 1000 bytes/);

    const streamed = await small.request('/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('the default limit is 25 MiB: a 26 MiB body is refused, MAX_BODY_MB changes it', async () => {
    expect(readSettings({}).maxBodyBytes).toBe(25 * 1024 * 1024);
    expect(readSettings({ MAX_BODY_MB: '2.5' }).maxBodyBytes).toBe(2.5 * 1024 * 1024);
    expect(() => readSettings({ MAX_BODY_MB: 'lots' })).toThrow(/MAX_BODY_MB/);
    const response = await json({ image: 'A'.repeat(26 * 1024 * 1024) });
    expect(response.status).toBe(413);
  });

  it('an internal fault: 500 with a message and no stack trace', async () => {
    const broken: ServerEngine = {
      analyze: () => Promise.reject(new Error('boom')),
      dominantEmotion: () =>
        Promise.reject(new TypeError('cannot read properties of undefined\n    at secret (/srv/app.js:1:1)')),
    };
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const response = await json({ image: dataUrl(happy) }, '/predict', createApp(broken, { webRoot: null }));
      expect(await seedAnswer(response)).toEqual([500, 'application/json', '{"error":"Internal server error"}\n']);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1); // logged for the operator, not sent to the client
  });

  it("the engine's own failure: 500 with its message's first line", async () => {
    const failing: ServerEngine = {
      analyze: () => Promise.reject(new EmotionError('RUNTIME_ERROR', 'ONNX Runtime failed\nat frame 3')),
      dominantEmotion: () => Promise.reject(new EmotionError('RUNTIME_ERROR', 'ONNX Runtime failed\nat frame 3')),
    };
    const original = console.error;
    console.error = () => {};
    try {
      const response = await json({ image: dataUrl(happy) }, '/predict', createApp(failing, { webRoot: null }));
      expect(await seedAnswer(response)).toEqual([500, 'application/json', '{"error":"ONNX Runtime failed"}\n']);
    } finally {
      console.error = original;
    }
  });

  it('CORS: a preflight from another origin is allowed, and answers carry the header', async () => {
    const preflight = await app.request('/predict', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:3000',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);

    const response = await app.request('/predict', {
      method: 'POST',
      headers: { Origin: 'http://localhost:3000', 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: dataUrl(happy) }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('base64Payload takes what follows the first comma, as the seed did', () => {
    expect(base64Payload('data:image/png;base64,QUJD')).toBe('QUJD');
    expect(base64Payload('QUJD')).toBe('QUJD');
    expect(base64Payload('anything,QUJD')).toBe('QUJD');
  });
});

interface V1Face {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  presence: number;
  emotion: string;
  emotions: { label: string; probability: number }[];
  keypoints: { x: number; y: number }[];
  landmarks?: [number, number, number][];
}

const LABELS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

function expectOneFace(faces: V1Face[], emotion: string, withLandmarks = false): void {
  expect(faces).toHaveLength(1);
  const [face] = faces as [V1Face];
  expect(face.emotion).toBe(emotion);
  expect(face.emotions.map((e) => e.label).sort()).toEqual(LABELS);
  expect(face.emotions[0]!.label).toBe(emotion);
  const probabilities = face.emotions.map((e) => e.probability);
  expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  expect(face.score).toBeGreaterThan(0.5);
  expect(face.box.width).toBeGreaterThan(50);
  expect(face.keypoints).toHaveLength(6);
  if (withLandmarks) {
    expect(face.landmarks).toHaveLength(468);
    for (const point of face.landmarks!) expect(point).toHaveLength(3);
  } else {
    expect(face).not.toHaveProperty('landmarks');
  }
}

describe('POST /v1/analyze', () => {
  it('JSON like /predict: every face with box, score and emotion probabilities', async () => {
    const response = await json({ image: dataUrl(happy) }, '/v1/analyze');
    expect(response.status).toBe(200);
    expectOneFace((await answerOf(response)).faces, 'happy');
  });

  it('?landmarks=1 adds the 468 [x, y, z] landmarks', async () => {
    const response = await json({ image: dataUrl(sad) }, '/v1/analyze?landmarks=1');
    const { faces } = await answerOf(response);
    expectOneFace(faces, 'sad', true);
    const [x, y] = faces[0]!.landmarks![1]!; // nose tip, inside the face box
    const { box } = faces[0]!;
    expect(x).toBeGreaterThan(box.x);
    expect(x).toBeLessThan(box.x + box.width);
    expect(y).toBeGreaterThan(box.y);
    expect(y).toBeLessThan(box.y + box.height);
  });

  it('raw image bytes with Content-Type image/*', async () => {
    const response = await app.request('/v1/analyze', {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg' },
      body: happy,
    });
    expect(response.status).toBe(200);
    expectOneFace((await answerOf(response)).faces, 'happy');
  });

  it('multipart/form-data with a file field "image"', async () => {
    const form = new FormData();
    form.append('image', new Blob([sad], { type: 'image/jpeg' }), 'sad.jpg');
    const response = await app.request('/v1/analyze', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expectOneFace((await answerOf(response)).faces, 'sad');
  });

  it('multipart/form-data with a data URL in "image"', async () => {
    const form = new FormData();
    form.append('image', dataUrl(happy));
    const response = await app.request('/v1/analyze', { method: 'POST', body: form });
    expectOneFace((await answerOf(response)).faces, 'happy');
  });

  it('an image without a face: 200 and no faces', async () => {
    const response = await app.request('/v1/analyze', {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: gradientPng(),
    });
    expect(await answerOf(response)).toEqual({ faces: [] });
  });

  it('CORS is on', async () => {
    const response = await app.request('/v1/analyze', {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  const errors: [string, () => Response | Promise<Response>, number, string, RegExp | string][] = [
    ['JSON without image', () => json({}, '/v1/analyze'), 400, 'INVALID_REQUEST', 'No image provided'],
    ['JSON that is no object', () => json('[1]', '/v1/analyze'), 400, 'INVALID_REQUEST', /JSON object/],
    ['malformed JSON', () => json('{', '/v1/analyze'), 400, 'BAD_REQUEST', /JSON/],
    [
      'malformed base64',
      () => json({ image: 'data:,!!!!' }, '/v1/analyze'),
      400,
      'INVALID_BASE64',
      'Invalid base64 data',
    ],
    [
      'raw bytes that are no image',
      () => app.request('/v1/analyze', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: 'not a png' }),
      400,
      'UNSUPPORTED_FORMAT',
      'Failed to decode image',
    ],
    [
      'a truncated JPEG',
      () =>
        app.request('/v1/analyze', {
          method: 'POST',
          headers: { 'Content-Type': 'image/jpeg' },
          body: happy.subarray(0, 2000),
        }),
      400,
      'INVALID_IMAGE',
      'Failed to decode image',
    ],
    [
      'an empty body',
      () => app.request('/v1/analyze', { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: '' }),
      400,
      'NO_IMAGE',
      'No image provided',
    ],
    [
      'a form without "image"',
      () => {
        const form = new FormData();
        form.append('picture', new Blob([happy]), 'x.jpg');
        return app.request('/v1/analyze', { method: 'POST', body: form });
      },
      400,
      'NO_IMAGE',
      'No image provided',
    ],
    [
      'a 20000×20000 header',
      () =>
        app.request('/v1/analyze', {
          method: 'POST',
          headers: { 'Content-Type': 'image/png' },
          body: pngClaiming(20_000, 20_000),
        }),
      413,
      'IMAGE_TOO_LARGE',
      /^Image too large/,
    ],
    [
      'text/plain',
      () => app.request('/v1/analyze', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      /Content-Type must be/,
    ],
    [
      '?landmarks=maybe',
      () => json({ image: dataUrl(happy) }, '/v1/analyze?landmarks=maybe'),
      400,
      'INVALID_REQUEST',
      /landmarks must be/,
    ],
    [
      'a body over the limit',
      () =>
        createApp(engine, { webRoot: null, maxBodyBytes: 100 }).request('/v1/analyze', {
          method: 'POST',
          headers: { 'Content-Type': 'image/jpeg' },
          body: happy,
        }),
      413,
      'PAYLOAD_TOO_LARGE',
      /limit is 100 bytes/,
    ],
  ];

  it.each(errors)('%s', async (_, send, status, code, message) => {
    const response = await send();
    expect(response.status).toBe(status);
    const body = await answerOf(response);
    expect(body.code).toBe(code);
    if (typeof message === 'string') expect(body.error).toBe(message);
    else expect(body.error).toMatch(message);
  });
});

describe('GET /health', () => {
  it('200 {"status":"ok"} once the engine is loaded, with the admission queue\'s depth', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await answerOf(response)).toEqual({ status: 'ok', inFlight: 0, maxQueue: 4 * availableParallelism() });
  });

  it('503 "loading" while it loads; requests wait for it', async () => {
    let resolve!: (engine: ServerEngine) => void;
    const pending = new Promise<ServerEngine>((r) => (resolve = r));
    const loadingApp = createApp(pending, { webRoot: null });
    const before = await loadingApp.request('/health');
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ status: 'loading', inFlight: 0 });

    const answer = json({ image: dataUrl(happy) }, '/predict', loadingApp);
    resolve(engine);
    expect(await (await answer).json()).toEqual({ emotion: 'HAPPY' });
    expect((await loadingApp.request('/health')).status).toBe(200);
  });

  it('503 "error" when the engine failed to load, and routes answer 503', async () => {
    const failedApp = createApp(Promise.reject(new Error('libonnxruntime.so: not found')), { webRoot: null });
    await new Promise((r) => setTimeout(r, 0));
    const health = await failedApp.request('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', error: 'libonnxruntime.so: not found' });
    const predict = await json({ image: dataUrl(happy) }, '/predict', failedApp);
    expect(predict.status).toBe(503);
  });
});

describe('GET / (the web client)', () => {
  it('serves index.html and assets from the web root', async () => {
    const root = mkdtempSync(join(tmpdir(), 'emotion-web-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>emotion</title>');
    writeFileSync(join(root, 'app.js'), 'console.log(1)');
    const webApp = createApp(engine, { webRoot: root });
    const page = await webApp.request('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>emotion</title>');
    const script = await webApp.request('/app.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await webApp.request('/missing.js')).status).toBe(404);
  });

  it('by default serves the built packages/web/dist', async () => {
    const page = await createApp(engine).request('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="camera"');
    expect(DEFAULT_WEB_ROOT).toMatch(/packages\/web\/dist$/);
  });

  it('says how to build it when it is missing', async () => {
    const response = await createApp(engine, { webRoot: '/nonexistent/emotion-web' }).request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/pnpm build/);
  });
});
