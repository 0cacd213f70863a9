/**
 * The hostile-input corpus: requests an attacker or a broken client may send to /predict and
 * /v1/analyze, each with the answer it must get. Shared by the corpus test and the soak bench
 * (bench/soak.mjs mixes them into its load), so every case is plain data once built.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  animatedWebp,
  blankPng,
  bmp,
  decodeJpeg,
  encodeJpeg,
  gif,
  heicHeader,
  ico,
  orientationExif,
  PDF,
  pngOf,
  rampPng,
  solidJpeg,
  storedFor,
  SVG,
  tiff,
  webp,
  withExif,
} from './images.js';
import { pngClaiming, repoRoot } from '@emotion/test-support';

export interface HostileCase {
  name: string;
  path: '/predict' | '/v1/analyze' | '/v1/analyze?landmarks=1' | '/v1/analyze?landmarks=2';
  contentType?: string;
  body: Buffer;
  /** The status it must get; a 4xx also needs a JSON `error` message. */
  status: number;
  /** For a 200: /predict's emotion, or /v1's face count and top emotion when one face. */
  emotion?: string;
  faces?: number;
  /** For a 4xx: the message, or a part of it. */
  error?: string | RegExp;
}

/** Builds the corpus around a real face: `face` is a JPEG whose /predict answer is `emotion`. */
export function hostileCases(face: Buffer, emotion: string): HostileCase[] {
  const cases: HostileCase[] = [];
  const json = (name: string, path: HostileCase['path'], body: string | Buffer, expect: Partial<HostileCase>) =>
    cases.push({ name, path, contentType: 'application/json', body: Buffer.from(body), status: 400, ...expect });
  const b64 = face.toString('base64');
  const valid = (image: string) => JSON.stringify({ image });

  // ---- JSON of every shape, on both routes ----
  for (const path of ['/predict', '/v1/analyze'] as const) {
    const tag = path === '/predict' ? 'predict' : 'v1';
    // /predict answers the seed's HAPPY or SAD; /v1 every face with its label, lower case.
    const right =
      path === '/predict' ? { status: 200, emotion } : { status: 200, faces: 1, emotion: emotion.toLowerCase() };
    json(`${tag}: empty body`, path, '', { error: /JSON/ });
    json(`${tag}: truncated JSON`, path, '{"image": "data:image/jpeg;base64,', { error: /JSON/ });
    json(`${tag}: trailing garbage`, path, `${valid(b64)}xyz`, { error: /JSON/ });
    json(`${tag}: nested 100 000 deep (array)`, path, '['.repeat(100_000) + ']'.repeat(100_000), {});
    json(`${tag}: nested 100 000 deep (object)`, path, `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, {});
    json(`${tag}: image nested deep`, path, `{"image":${'['.repeat(5000)}${']'.repeat(5000)}}`, {
      error: 'image must be a string: a data URL or base64',
    });
    json(`${tag}: a JSON array`, path, `[${valid(b64)}]`, { error: 'The request body must be a JSON object' });
    json(`${tag}: a JSON string`, path, '"data:image/jpeg;base64,AAAA"', {
      error: 'The request body must be a JSON object',
    });
    json(`${tag}: JSON null`, path, 'null', { error: 'The request body must be a JSON object' });
    json(`${tag}: image is a number`, path, '{"image": 12}', { error: 'image must be a string: a data URL or base64' });
    json(`${tag}: image is an object`, path, '{"image": {"data": "x"}}', { error: /image must be a string/ });
    json(`${tag}: image is null`, path, '{"image": null}', { error: 'No image provided' });
    json(`${tag}: image is empty`, path, '{"image": ""}', { error: 'No image provided' });
    json(`${tag}: NaN literal`, path, '{"image": NaN}', { error: /JSON/ });
    json(
      `${tag}: invalid UTF-8`,
      path,
      Buffer.concat([Buffer.from('{"image": "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
      {
        error: 'Invalid base64 data',
      },
    );
    json(`${tag}: duplicate keys, the last valid`, path, `{"image": "junk", "image": "${b64}"}`, right);
    json(
      `${tag}: byte-order mark`,
      path,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid(b64))]),
      right,
    );
    json(
      `${tag}: 20 000 other keys`,
      path,
      `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')},"image":"${b64}"}`,
      right,
    );
    json(`${tag}: base64 of junk`, path, valid('!!!!****'), { error: 'Invalid base64 data' });
    json(`${tag}: base64 of a text`, path, valid(Buffer.from('hello, this is no image').toString('base64')), {
      error: 'Failed to decode image',
    });
  }
  cases.push({
    name: 'predict: no content type',
    path: '/predict',
    body: Buffer.from(valid(b64)),
    status: 415,
    error: 'Content-Type must be application/json',
  });
  cases.push({
    name: 'predict: text/plain',
    path: '/predict',
    contentType: 'text/plain',
    body: Buffer.from(valid(b64)),
    status: 415,
    error: 'Content-Type must be application/json',
  });
  json('predict: JSON with a charset', '/predict', valid(b64), {
    status: 200,
    emotion,
    contentType: 'application/json; charset=utf-8',
  });

  // ---- data URLs and base64 variants (/predict: the seed's contract) ----
  const dataUrl = (name: string, image: string, expect: Partial<HostileCase>) =>
    json(`data URL: ${name}`, '/predict', valid(image), expect);
  dataUrl('image/jpeg', `data:image/jpeg;base64,${b64}`, { status: 200, emotion });
  dataUrl('upper-case prefix', `DATA:IMAGE/JPEG;BASE64,${b64}`, { status: 200, emotion });
  dataUrl('no media type', `data:;base64,${b64}`, { status: 200, emotion });
  dataUrl('a wrong media type', `data:text/html;base64,${b64}`, { status: 200, emotion });
  dataUrl('parameters before base64', `data:image/jpeg;name=a.jpg;charset=x;base64,${b64}`, { status: 200, emotion });
  dataUrl('two commas', `data:image/jpeg;base64,,${b64}`, { error: 'Invalid base64 data' });
  dataUrl('only a prefix', 'data:image/jpeg;base64,', { error: /No image provided|Failed to decode image/ });
  dataUrl('a 100 kB prefix', `data:${'x'.repeat(100_000)};base64,${b64}`, { status: 200, emotion });
  dataUrl('URL-safe alphabet', b64.replaceAll('+', '-').replaceAll('/', '_'), { status: 200, emotion });
  dataUrl('no padding', b64.replace(/=+$/, ''), { status: 200, emotion });
  dataUrl('MIME line breaks', b64.replace(/.{76}/g, '$&\r\n'), { status: 200, emotion });
  dataUrl('spaces and tabs', b64.replace(/.{50}/g, '$& \t'), { status: 200, emotion });
  dataUrl('padding in the middle', `${b64.slice(0, 8)}==${b64.slice(8)}`, { error: 'Invalid base64 data' });
  // Each 'Ł' (U+0141) was once read as 'A' by its low byte: the face's base64 spelled in them.
  const spelledInLowBytes = [...b64].map((c) => String.fromCharCode(0x100 + c.charCodeAt(0))).join('');
  dataUrl('letters above U+00FF whose low bytes spell the base64', spelledInLowBytes, { error: 'Invalid base64 data' });
  const unpadded = b64.replace(/=+$/, '');
  dataUrl('a 4n+1 length', unpadded + 'A'.repeat((5 - (unpadded.length % 4)) % 4), { error: 'Invalid base64 data' });

  // ---- images: broken, unsupported, unusual, extreme (raw bodies on /v1/analyze) ----
  const raw = (name: string, body: Buffer, expect: Partial<HostileCase>, contentType = 'application/octet-stream') =>
    cases.push({ name: `image: ${name}`, path: '/v1/analyze', contentType, body, status: 400, ...expect });
  const decodeFailed = { error: 'Failed to decode image' };
  const noFace = { status: 200, faces: 0 };
  const oneFace = { status: 200, faces: 1, emotion: emotion.toLowerCase() };
  const pixels = decodeJpeg(face);

  raw('the face, raw JPEG', face, oneFace, 'image/jpeg');
  raw('the face, labelled image/png', face, oneFace, 'image/png');
  raw('truncated JPEG (half)', face.subarray(0, face.length >> 1), decodeFailed);
  raw('JPEG cut before its end marker', face.subarray(0, face.length - 2), decodeFailed);
  const flipped = Buffer.from(face);
  for (let i = 200; i < flipped.length - 2; i += 397) flipped.writeUInt8(flipped.readUInt8(i) ^ 0x5a, i);
  raw('bit-flipped JPEG', flipped, decodeFailed);
  const png = pngOf(pixels, 2, 8);
  raw('spliced: a JPEG head on a PNG tail', Buffer.concat([face.subarray(0, 600), png.subarray(600)]), decodeFailed);
  raw('zero-filled', Buffer.alloc(face.length), decodeFailed);
  raw(
    'JPEG header, zero-filled rest',
    Buffer.concat([face.subarray(0, 300), Buffer.alloc(face.length - 300)]),
    decodeFailed,
  );
  raw('PNG signature only', png.subarray(0, 8), decodeFailed);
  raw('truncated PNG', png.subarray(0, png.length >> 1), decodeFailed);
  raw('empty body', Buffer.alloc(0), { error: 'No image provided' }, 'image/png');
  raw('TIFF', tiff(), decodeFailed, 'image/tiff');
  raw('SVG', SVG, decodeFailed, 'image/svg+xml');
  raw('PDF', PDF, decodeFailed);
  raw('ICO', ico(rampPng(2, 8, 16, 16)), decodeFailed, 'image/x-icon');
  raw('HEIC header', heicHeader(), decodeFailed, 'image/heic');
  for (const [colorType, depth] of [
    [2, 8],
    [2, 16],
    [6, 8],
    [6, 16],
  ] as const) {
    raw(
      `the face as PNG colour type ${colorType}, ${depth}-bit`,
      pngOf(pixels, colorType, depth),
      oneFace,
      'image/png',
    );
  }
  for (const [colorType, depth] of [
    [0, 8],
    [0, 16],
    [4, 8],
    [4, 16],
  ] as const) {
    raw(`the face as grey PNG type ${colorType}, ${depth}-bit`, pngOf(pixels, colorType, depth), {
      status: 200,
      faces: 1,
    });
  }
  for (const depth of [1, 2, 4] as const) {
    raw(`grey PNG, ${depth}-bit`, rampPng(0, depth), noFace);
    raw(`palette PNG, ${depth}-bit`, rampPng(3, depth), noFace);
  }
  raw('palette PNG, 8-bit', rampPng(3, 8), noFace);
  raw('progressive JPEG', solidJpeg(64, 48, 'progressive'), noFace, 'image/jpeg');
  raw('CMYK JPEG', solidJpeg(64, 48, 'cmyk'), noFace, 'image/jpeg');
  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as const) {
    const stored = encodeJpeg(storedFor(pixels, orientation));
    raw(
      `the face stored with EXIF orientation ${orientation}`,
      withExif(stored, orientationExif(orientation)),
      oneFace,
    );
  }
  // 65535 entries declared in a 26-byte TIFF: the one real entry, orientation 6, still counts.
  const corruptIfd = orientationExif(6);
  corruptIfd.writeUInt16BE(0xffff, 8);
  raw('EXIF with a corrupt IFD', withExif(encodeJpeg(storedFor(pixels, 6)), corruptIfd), oneFace);
  raw('EXIF pointing past its end', withExif(face, Buffer.from('4d4d002a7fffffff', 'hex')), oneFace);
  raw('1×1 PNG', blankPng(1, 1), noFace);
  raw('1×1000 PNG', blankPng(1, 1000), noFace);
  raw('1000×1 PNG', blankPng(1000, 1), noFace);
  raw('16000×1 PNG', blankPng(16_000, 1), noFace);
  raw('4096×4096 blank PNG (a few kB)', blankPng(4096, 4096), noFace);
  raw('4097×4096 blank PNG', blankPng(4097, 4096), { status: 413, error: /Image too large/ });
  raw('a header claiming 20000×20000', pngClaiming(20_000, 20_000), { status: 413, error: /Image too large/ });
  raw('BMP', bmp(64, 48), noFace, 'image/bmp');
  raw('GIF', gif(64, 48, 1), noFace, 'image/gif');
  raw('animated GIF, 200 frames', gif(32, 24, 200), noFace, 'image/gif');
  raw('WebP (lossless)', webp(64, 48), noFace, 'image/webp');
  raw('animated WebP, 300 frames', animatedWebp(64, 48, 300), noFace, 'image/webp');
  raw('the face as BMP in a JPEG label', bmp(1, 1), noFace, 'image/jpeg');
  // What the fuzzers found (fuzz/README.md): one of them once aborted the whole server.
  const regressions = join(repoRoot, 'fuzz/regressions');
  for (const file of readdirSync(regressions).sort()) {
    raw(`fuzz regression ${file}`, readFileSync(join(regressions, file)), { error: /decode|Invalid/i });
  }

  // ---- multipart ----
  const boundary = 'hostile-boundary';
  const form = (...parts: string[]) =>
    Buffer.from(`${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`, 'latin1');
  const filePart = (bytes: Buffer, field = 'image') =>
    `Content-Disposition: form-data; name="${field}"; filename="face.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${bytes.toString('latin1')}`;
  const multipart = (
    name: string,
    body: Buffer,
    expect: Partial<HostileCase>,
    type = `multipart/form-data; boundary=${boundary}`,
  ) => cases.push({ name: `multipart: ${name}`, path: '/v1/analyze', contentType: type, body, status: 400, ...expect });
  multipart('the face as a file', form(filePart(face)), oneFace);
  multipart(
    'the face as a data URL field',
    form(`Content-Disposition: form-data; name="image"\r\n\r\ndata:image/jpeg;base64,${b64}`),
    oneFace,
  );
  multipart('no boundary', form(filePart(face)), { error: /multipart|boundary|form/i }, 'multipart/form-data');
  multipart(
    'another boundary than declared',
    form(filePart(face)),
    { error: /multipart|boundary|form|No image/i },
    'multipart/form-data; boundary=other',
  );
  multipart('garbage body', Buffer.from('this is not multipart at all'), {
    error: /multipart|boundary|form|No image/i,
  });
  multipart('no closing boundary', Buffer.from(`--${boundary}\r\n${filePart(face)}\r\n`, 'latin1'), {
    error: /multipart|boundary|form|No image/i,
  });
  multipart('an empty file', form(filePart(Buffer.alloc(0))), { error: /No image provided|Failed to decode image/ });
  multipart('no image field', form('Content-Disposition: form-data; name="other"\r\n\r\nx'), {
    error: 'No image provided',
  });
  multipart('a text file', form(filePart(Buffer.from('plain text'))), decodeFailed);
  multipart(
    '5000 parts, then the image',
    form(
      ...Array.from({ length: 5000 }, (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\n${i}`),
      filePart(face),
    ),
    oneFace,
  );
  multipart('headers without a blank line', form('Content-Disposition: form-data; name="image"'), {
    error: /multipart|form|No image/i,
  });

  // ---- query and routes ----
  cases.push({
    name: 'v1: landmarks=2',
    path: '/v1/analyze?landmarks=2',
    contentType: 'image/jpeg',
    body: face,
    status: 400,
    error: 'landmarks must be 0, 1, true or false',
  });
  cases.push({
    name: 'v1: landmarks=1',
    path: '/v1/analyze?landmarks=1',
    contentType: 'image/jpeg',
    body: face,
    ...oneFace,
  });
  cases.push({
    name: 'v1: text/plain',
    path: '/v1/analyze',
    contentType: 'text/plain',
    body: face,
    status: 415,
    error: /Content-Type must be/,
  });
  return cases;
}
