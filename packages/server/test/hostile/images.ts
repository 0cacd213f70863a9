/**
 * Images made at test time for the hostile-input corpus: every PNG colour type and bit depth,
 * JPEGs (baseline from jpeg-js; progressive and CMYK written here, solid grey), each EXIF
 * orientation, still and animated GIF and WebP, BMP, and headers of formats we do not read.
 * Hand-written encoders stay minimal: uncompressed-style LZW, single-symbol prefix codes.
 */
import { deflateSync } from 'node:zlib';

import { PNG_SIGNATURE, pngChunk } from '@emotion/test-support';
import jpeg from 'jpeg-js';

export interface Rgba {
  width: number;
  height: number;
  /** 4 bytes per pixel. */
  data: Uint8Array;
}

// ---- PNG, any colour type and bit depth ----

const CHANNELS: Record<PngSpec['colorType'], number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** The samples of pixel (x, y), each from 0 to 2^bitDepth − 1, one per channel. */
  sample: (x: number, y: number) => number[];
  palette?: Buffer;
  interlaced?: boolean;
}

/** Interlacing is declared only for sizes where Adam7 passes can be skipped: 1×1 images. */
export function png(spec: PngSpec): Buffer {
  const { width, height, colorType, bitDepth } = spec;
  const channels = CHANNELS[colorType];
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (rowBytes + 1) + 1; // filter byte 0 (None), then the samples
    let bit = 0;
    for (let x = 0; x < width; x++) {
      for (const value of spec.sample(x, y)) {
        if (bitDepth === 16) {
          raw.writeUInt16BE(value, row + bit / 8);
        } else {
          raw.writeUInt8(raw.readUInt8(row + (bit >> 3)) | (value << (8 - bitDepth - (bit & 7))), row + (bit >> 3));
        }
        bit += bitDepth;
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  ihdr[12] = spec.interlaced ? 1 : 0;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    ...(spec.palette ? [pngChunk('PLTE', spec.palette)] : []),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A face (or any RGBA image) as a PNG of the given colour type and depth, colours kept. */
export function pngOf(image: Rgba, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16): Buffer {
  const scale = bitDepth === 16 ? 257 : 1;
  return png({
    width: image.width,
    height: image.height,
    colorType,
    bitDepth,
    sample: (x, y) => {
      const i = (y * image.width + x) * 4;
      const [r = 0, g = 0, b = 0] = image.data.subarray(i, i + 3);
      const grey = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      const samples = { 0: [grey], 2: [r, g, b], 4: [grey, 255], 6: [r, g, b, 255] }[colorType];
      return samples.map((v) => v * scale);
    },
  });
}

/** A grey ramp at any depth, in any colour type: valid, without a face. */
export function rampPng(colorType: 0 | 2 | 3 | 4 | 6, bitDepth: 1 | 2 | 4 | 8 | 16, width = 64, height = 48): Buffer {
  const max = 2 ** bitDepth - 1;
  const channels = CHANNELS[colorType];
  const palette = colorType === 3 ? Buffer.from(Array.from({ length: (max + 1) * 3 }, (_, i) => i % 256)) : undefined;
  return png({
    width,
    height,
    colorType,
    bitDepth,
    palette,
    sample: (x) => Array.from({ length: channels }, () => Math.round((max * x) / Math.max(1, width - 1))),
  });
}

/** Grey PNG of any size, all one value: deflate squeezes even 16 MP into a few kilobytes. */
export function blankPng(width: number, height: number): Buffer {
  // Written directly rather than through png()'s per-sample callback: 16 M calls are slow.
  const raw = Buffer.alloc((width + 1) * height, 128);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0; // filter: None
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // 8-bit grey
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- JPEG ----

export function decodeJpeg(bytes: Buffer): Rgba {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

export function encodeJpeg(image: Rgba, quality = 95): Buffer {
  return Buffer.from(jpeg.encode({ ...image, data: Buffer.from(image.data) }, quality).data);
}

/** The JPEG with an APP1 Exif segment carrying `tiff` (a TIFF header and IFDs) after SOI. */
export function withExif(jpegBytes: Buffer, tiff: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpegBytes.subarray(0, 2), header, payload, jpegBytes.subarray(2)]);
}

/** A big-endian TIFF with one IFD holding the Orientation tag. */
export function orientationExif(orientation: number): Buffer {
  const tiff = Buffer.from('4d4d002a00000008' + '0001' + '011200030000000100000000' + '00000000', 'hex');
  tiff.writeUInt16BE(orientation, 18);
  return tiff;
}

/**
 * The stored pixels that, shown with EXIF `orientation`, give `image` (square images only: the
 * quarter turns keep the size). Each entry maps a stored pixel to the displayed one.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export function storedFor(image: Rgba, orientation: Orientation): Rgba {
  const { width: w, height: h } = image;
  if (w !== h) throw new Error('storedFor takes square images');
  const shown: Record<Orientation, (x: number, y: number) => [number, number]> = {
    1: (x, y) => [x, y],
    2: (x, y) => [w - 1 - x, y],
    3: (x, y) => [w - 1 - x, h - 1 - y],
    4: (x, y) => [x, h - 1 - y],
    5: (x, y) => [y, x],
    6: (x, y) => [h - 1 - y, x],
    7: (x, y) => [h - 1 - y, w - 1 - x],
    8: (x, y) => [y, w - 1 - x],
  };
  const map = shown[orientation];
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [dx, dy] = map(x, y);
      data.set(image.data.subarray((dy * w + dx) * 4, (dy * w + dx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

class BitWriter {
  private bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** Most significant bit first, as JPEG's entropy-coded data. */
  msb(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) this.push((value >> i) & 1, false);
  }

  /** Least significant bit first, as GIF's LZW and WebP's VP8L. */
  lsb(value: number, bits: number): void {
    for (let i = 0; i < bits; i++) this.push((value >> i) & 1, true);
  }

  private push(bit: number, lsbFirst: boolean): void {
    this.current |= bit << (lsbFirst ? this.used : 7 - this.used);
    if (++this.used === 8) this.flushByte();
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    this.current = 0;
    this.used = 0;
  }

  /** JPEG pads with one bits and stuffs a zero after every 0xFF. */
  jpegBytes(): Buffer {
    if (this.used > 0) this.msb((1 << (8 - this.used)) - 1, 8 - this.used);
    return Buffer.from(this.bytes.flatMap((b) => (b === 0xff ? [0xff, 0x00] : [b])));
  }

  finish(): Buffer {
    if (this.used > 0) this.flushByte();
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** A Huffman table holding one 1-bit code for `symbol`: every block then costs a bit or two. */
function oneSymbolTable(tableClass: 0 | 1, id: number, symbol: number): Buffer {
  const counts = Buffer.alloc(16);
  counts[0] = 1;
  return segment(0xc4, Buffer.concat([Buffer.from([(tableClass << 4) | id]), counts, Buffer.from([symbol])]));
}

/**
 * A solid mid-grey JPEG written by hand, since jpeg-js writes baseline YCbCr only:
 * `progressive` (SOF2, a DC scan then one AC scan per component) or `cmyk` (four components,
 * Adobe APP14 as Photoshop writes it). Every DC difference is 0 and every block is empty.
 */
export function solidJpeg(width: number, height: number, kind: 'progressive' | 'cmyk'): Buffer {
  const components = kind === 'cmyk' ? 4 : 3;
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  const sof = Buffer.alloc(6 + components * 3);
  sof[0] = 8;
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof[5] = components;
  for (let c = 0; c < components; c++) sof.set([c + 1, 0x11, 0], 6 + c * 3);
  const quant = segment(0xdb, Buffer.concat([Buffer.from([0]), Buffer.alloc(64, 1)]));
  const tables = [oneSymbolTable(0, 0, 0), oneSymbolTable(1, 0, 0)]; // DC: difference 0; AC: end of block
  const scan = (ids: number[], start: number, end: number, perBlock: number): Buffer => {
    const header = Buffer.from([ids.length, ...ids.flatMap((id) => [id, 0x00]), start, end, 0]);
    const bits = new BitWriter();
    for (let i = 0; i < blocks * ids.length; i++) bits.msb(0, perBlock);
    return Buffer.concat([segment(0xda, header), bits.jpegBytes()]);
  };
  const ids = Array.from({ length: components }, (_, c) => c + 1);
  const body =
    kind === 'progressive'
      ? [segment(0xc2, sof), ...tables, scan(ids, 0, 0, 1), ...ids.map((id) => scan([id], 1, 63, 1))]
      : [
          segment(0xee, Buffer.from('Adobe\0\x64\0\0\0\0\0', 'latin1')), // transform 0: CMYK as is
          segment(0xc0, sof),
          ...tables,
          scan(ids, 0, 63, 2),
        ];
  return Buffer.concat([Buffer.from([0xff, 0xd8]), quant, ...body, Buffer.from([0xff, 0xd9])]);
}

// ---- GIF ----

/**
 * A GIF of `frames` frames, each `width` × `height` in grey levels from `pixel`. LZW is
 * written without compression: 8-bit literals in 9-bit codes, the table reset before it grows.
 */
export function gif(
  width: number,
  height: number,
  frames: number,
  pixel = (f: number, x: number) => (f * 37 + x) % 256,
): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  head[10] = 0xf7; // global colour table of 256 entries
  const palette = Buffer.from(Array.from({ length: 768 }, (_, i) => Math.floor(i / 3)));
  const loop = Buffer.from('21ff0b4e45545343415045322e300301000000', 'hex'); // NETSCAPE2.0, loop for ever
  const parts: Buffer[] = [head, palette, loop];
  for (let f = 0; f < frames; f++) {
    const control = Buffer.from([0x21, 0xf9, 4, 0, 10, 0, 0, 0]); // 0.1 s per frame
    const descriptor = Buffer.alloc(10);
    descriptor[0] = 0x2c;
    descriptor.writeUInt16LE(width, 5);
    descriptor.writeUInt16LE(height, 7);
    const bits = new BitWriter();
    let sinceClear = 0;
    bits.lsb(256, 9);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (sinceClear === 250) {
          bits.lsb(256, 9);
          sinceClear = 0;
        }
        bits.lsb(pixel(f, x + y), 9);
        sinceClear++;
      }
    }
    bits.lsb(257, 9);
    const data = bits.finish();
    const blocks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 255) {
      const block = data.subarray(i, i + 255);
      blocks.push(Buffer.from([block.length]), block);
    }
    parts.push(control, descriptor, Buffer.from([8]), ...blocks, Buffer.from([0]));
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

// ---- WebP (lossless) ----

function riffChunk(type: string, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(type, 0, 'latin1');
  header.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** A VP8L bitstream of one colour: five single-symbol prefix codes, so no bits per pixel. */
function vp8lSolid(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const bits = new BitWriter();
  bits.lsb(0x2f, 8);
  bits.lsb(width - 1, 14);
  bits.lsb(height - 1, 14);
  bits.lsb(0, 1); // no alpha
  bits.lsb(0, 3); // version 0
  bits.lsb(0, 1); // no transform
  bits.lsb(0, 1); // no colour cache
  bits.lsb(0, 1); // no meta prefix codes
  for (const symbol of [g, r, b, 255, 0]) {
    bits.lsb(1, 1); // simple code
    bits.lsb(0, 1); // one symbol
    bits.lsb(1, 1); // of 8 bits
    bits.lsb(symbol, 8);
  }
  return bits.finish();
}

export function webp(width: number, height: number, colour: [number, number, number] = [120, 130, 140]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), riffChunk('VP8L', vp8lSolid(width, height, colour))]);
  return riffChunk('RIFF', body);
}

function uint24(value: number): Buffer {
  const b = Buffer.alloc(3);
  b.writeUIntLE(value, 0, 3);
  return b;
}

/** An animated WebP of `frames` solid frames of the full canvas. */
export function animatedWebp(width: number, height: number, frames: number): Buffer {
  const vp8x = Buffer.concat([Buffer.from([0x02, 0, 0, 0]), uint24(width - 1), uint24(height - 1)]);
  const anim = Buffer.from([0, 0, 0, 0, 0, 0]); // background colour, loop for ever
  const anmf = (f: number) =>
    riffChunk(
      'ANMF',
      Buffer.concat([
        uint24(0),
        uint24(0),
        uint24(width - 1),
        uint24(height - 1),
        uint24(100),
        Buffer.from([0]),
        riffChunk('VP8L', vp8lSolid(width, height, [(f * 40) % 256, 100, 150])),
      ]),
    );
  const chunks = [
    riffChunk('VP8X', vp8x),
    riffChunk('ANIM', anim),
    ...Array.from({ length: frames }, (_, f) => anmf(f)),
  ];
  return riffChunk('RIFF', Buffer.concat([Buffer.from('WEBP', 'latin1'), ...chunks]));
}

// ---- BMP, and formats we do not read ----

export function bmp(width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + rowBytes * height);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(24, 28);
  for (let i = 54; i < file.length; i++) file[i] = (i * 7) % 256;
  return file;
}

/** A little-endian TIFF: an 8×8 grey strip, uncompressed. */
export function tiff(): Buffer {
  const entries: [number, number, number][] = [
    [256, 3, 8], // width
    [257, 3, 8], // height
    [258, 3, 8], // bits per sample
    [259, 3, 1], // no compression
    [262, 3, 1], // black is zero
    [273, 4, 8 + 2 + 9 * 12 + 4], // strip offset: after the IFD
    [277, 3, 1], // samples per pixel
    [278, 3, 8], // rows per strip
    [279, 4, 64], // strip bytes
  ];
  const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
  ifd.writeUInt16LE(entries.length, 0);
  entries.forEach(([tag, type, value], i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(tag, at);
    ifd.writeUInt16LE(type, at + 2);
    ifd.writeUInt32LE(1, at + 4);
    if (type === 3) ifd.writeUInt16LE(value, at + 8);
    else ifd.writeUInt32LE(value, at + 8);
  });
  return Buffer.concat([Buffer.from('49492a0008000000', 'hex'), ifd, Buffer.alloc(64, 0x80)]);
}

/** An icon file holding one PNG. */
export function ico(inner: Buffer): Buffer {
  const header = Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 22, 0, 0, 0]);
  header.writeUInt32LE(inner.length, 14);
  return Buffer.concat([header, inner]);
}

/** The start of a HEIC file: its `ftyp` box (brand heic), then an empty `meta`. */
export function heicHeader(): Buffer {
  return Buffer.from('00000018667479706865696300000000' + '6d69663168656963' + '000000086d657461', 'hex');
}

export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle r="30"/></svg>');
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
