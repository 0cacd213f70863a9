/** Test inputs: real faces from the team's data set, and images made here. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { PNG } from 'pngjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The team's read-only data sits beside the repository. */
export const sharedDir = process.env.EMOTION_SHARED_DIR ?? resolve(repoRoot, '../shared');
const facesDir = join(sharedDir, 'datasets/faces-224');

/** Two faces per class, JPEG and grey PNG, named as in faces-224/MANIFEST.tsv. */
export const FACE_FILES = [
  'angry/48239881.jpg',
  'angry/61321442.jpg',
  'disgust/72535797.jpg',
  'disgust/S022_006_00000015.png',
  'fear/70168233.jpg',
  'fear/70279489.jpg',
  'happy/44820917.jpg',
  'happy/45342163.jpg',
  'neutral/11081001.jpg',
  'neutral/15340193.jpg',
  'sad/47668189.jpg',
  'sad/60581216.jpg',
  'surprise/71596657.jpg',
  'surprise/73590953.jpg',
];
export const FACE_SIZE = 224;

export function readFace(name: string): Buffer {
  return readFileSync(join(facesDir, name));
}

/** Deterministic bytes (a linear congruential generator), so failures reproduce. */
export function pseudoRandomBytes(length: number, seed = 12345): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

/** An RGB PNG whose pixel (x, y) is `colour(x, y)`. */
export function makePng(
  width: number,
  height: number,
  colour: (x: number, y: number) => [number, number, number],
): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = colour(x, y);
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * A tiny PNG that claims the given size: a real IHDR, then one IDAT holding a few compressed
 * bytes, then IEND. Decoding it for real would need width × height × 3 bytes.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
