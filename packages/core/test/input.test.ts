import { describe, expect, it } from 'vitest';

import { EmptyInputError, InvalidBase64Error } from '../src/errors.js';
import { decodeBase64Image, toBytes } from '../src/input.js';

describe('toBytes', () => {
  it('passes Buffers and Uint8Arrays through without copying', () => {
    const buffer = Buffer.from([1, 2, 3]);
    expect(toBytes(buffer)).toBe(buffer);
    const array = new Uint8Array([4, 5]);
    expect(toBytes(array)).toBe(array);
  });

  it('decodes data URLs with any media type and parameters', () => {
    expect([...decodeBase64Image('data:image/png;base64,AQID')]).toEqual([1, 2, 3]);
    expect([...decodeBase64Image('data:;charset=x;base64,AQI=')]).toEqual([1, 2]);
  });

  it('decodes bare base64, unpadded, URL-safe or wrapped over lines', () => {
    expect([...decodeBase64Image('AQ')]).toEqual([1]);
    expect([...decodeBase64Image('-_8=')]).toEqual([0xfb, 0xff]);
    expect([...decodeBase64Image('AQ\nID')]).toEqual([1, 2, 3]);
  });

  it('rejects what Buffer.from would silently skip', () => {
    expect(() => decodeBase64Image('AQ*ID')).toThrow(InvalidBase64Error);
    expect(() => decodeBase64Image('AQI')).not.toThrow();
    expect(() => decodeBase64Image('AQ=')).toThrow(InvalidBase64Error);
    expect(() => decodeBase64Image('data:image/png;base64,')).toThrow(EmptyInputError);
  });

  it('rejects junk the one-pass decoder could miss: padding inside, too much padding, 4n+1 characters', () => {
    for (const junk of ['AQ=D', 'AQID====', 'AQIDB', 'AQIDBA=', 'AQ$D', '====']) {
      expect(() => decodeBase64Image(junk), junk).toThrow(InvalidBase64Error);
    }
    expect([...decodeBase64Image('AQIDBA==')]).toEqual([1, 2, 3, 4]);
  });

  it('rejects characters above U+00FF whose low byte is in the alphabet (found by base64-fuzz)', () => {
    for (const junk of ['ŁŁŁŁ', 'data:image/png;base64,ŁŁŁŁ', '\u{9c42f}', 'AQI\u0144']) {
      expect(() => decodeBase64Image(junk), junk).toThrow(InvalidBase64Error);
    }
  });
});
