/**
 * Writes a Y4M video (what Chromium's --use-file-for-fake-video-capture plays, looping) from
 * a real face photo: the JPEG is decoded here, scaled up and centred on a grey frame, and
 * converted to YUV 4:2:0 (BT.601, full range, as C420jpeg declares).
 */
import { writeFileSync } from 'node:fs';

import jpeg from 'jpeg-js';

export interface Y4mOptions {
  width?: number;
  height?: number;
  /** Height of the face in the frame, as a fraction of the frame's height. */
  faceScale?: number;
  frames?: number;
}

export function writeFaceY4m(jpegBytes: Buffer, path: string, options: Y4mOptions = {}): void {
  const { width = 640, height = 480, frames = 2 } = options;
  const frame = faceFrame(jpegBytes, options);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F15:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/**
 * A video of several faces in turn, `seconds` each, at `fps` frames per second (Chromium
 * plays it looping, so a recording as long as the whole video sees each face for its share).
 */
export function writeFacesY4m(segments: { jpeg: Buffer; seconds: number }[], path: string, fps = 5): void {
  const width = 640;
  const height = 480;
  const frames = segments.flatMap(({ jpeg, seconds }) => {
    const frame = faceFrame(jpeg, { width, height });
    return Array.from({ length: Math.round(seconds * fps) }, () => frame);
  });
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...frames]));
}

/** One Y4M frame ("FRAME\n" and its Y, U, V planes) of the face centred on grey. */
function faceFrame(jpegBytes: Buffer, options: Y4mOptions): Buffer {
  const { width = 640, height = 480, faceScale = 0.75 } = options;
  const face = jpeg.decode(jpegBytes, { useTArray: true, formatAsRGBA: true });
  const rgb = new Uint8Array(width * height * 3).fill(96); // mid-grey background

  // Nearest-neighbour scale-up of the face into the middle of the frame.
  const size = Math.round(height * faceScale);
  const faceWidth = Math.round((size * face.width) / face.height);
  const left = (width - faceWidth) >> 1;
  const top = (height - size) >> 1;
  for (let y = 0; y < size; y++) {
    const sy = Math.min(face.height - 1, Math.floor((y * face.height) / size));
    for (let x = 0; x < faceWidth; x++) {
      const sx = Math.min(face.width - 1, Math.floor((x * face.width) / faceWidth));
      const s = (sy * face.width + sx) * 4;
      const d = ((top + y) * width + left + x) * 3;
      rgb[d] = face.data[s]!;
      rgb[d + 1] = face.data[s + 1]!;
      rgb[d + 2] = face.data[s + 2]!;
    }
  }

  const Y = new Uint8Array(width * height);
  const U = new Uint8Array((width / 2) * (height / 2));
  const V = new Uint8Array((width / 2) * (height / 2));
  const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      Y[y * width + x] = clamp(0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
    }
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      U[y * (width / 2) + x] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      V[y * (width / 2) + x] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }

  return Buffer.concat([Buffer.from('FRAME\n'), Y, U, V]);
}
