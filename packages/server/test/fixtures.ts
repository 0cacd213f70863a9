/** Test inputs: real faces from the team's data set (../shared), and images made here. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The team's read-only data sits beside the repository; EMOTION_SHARED_DIR points elsewhere. */
export const sharedDir = process.env.EMOTION_SHARED_DIR ?? resolve(repoRoot, '../shared');
export const facesDir = join(sharedDir, 'datasets/faces-224');

/**
 * Faces the classifier answers correctly, both as HAPPY/SAD and as its top emotion, with a clear
 * margin (p ≥ 0.84). Picked from an earlier model's held-out test split; the sad one is still in
 * models/train/test_split.tsv, the happy one is now in the training part, which is fine for API tests.
 */
export const HAPPY_FACE = 'happy/img_161012313.jpg';
export const SAD_FACE = 'sad/img_161025507.jpg';

export function readFace(name: string): Buffer {
  return readFileSync(join(facesDir, name));
}

export function dataUrl(bytes: Buffer, type = 'image/png'): string {
  return `data:${type};base64,${bytes.toString('base64')}`;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function header(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return ihdr;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An RGB PNG with a smooth colour gradient: a valid image with no face in it. */
export function gradientPng(width = 320, height = 240): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = Math.round((255 * x) / width);
      row[2 + x * 3] = Math.round((255 * y) / height);
      row[3 + x * 3] = 128;
    }
    rows.push(row);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header(width, height)),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A well-formed PNG header declaring `width` × `height`, with a token of pixel data. */
export function hugePngHeader(width = 20000, height = 20000): Buffer {
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header(width, height)),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
