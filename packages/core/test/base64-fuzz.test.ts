/**
 * Property-based fuzzing of the data-URL and base64 parsing (src/input.ts), the only code outside
 * Rust that reads untrusted request bytes. cargo-fuzz covers the Rust side; Jazzer.js, the
 * coverage-guided fuzzer for JavaScript, does not load here (its prebuilt addon needs glibc 2.38,
 * Debian 12 has 2.36), so fast-check generates the inputs: arbitrary text, and text built from
 * the grammar's pieces (prefixes, both alphabets, padding, whitespace, junk) so most cases reach
 * deep into the parser rather than failing at its first character.
 *
 * CI runs BASE64_FUZZ_RUNS (default 20,000) cases per property; fuzz/README.md records a long run.
 */
import { Buffer } from 'node:buffer';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { EmptyInputError, InvalidBase64Error } from '../src/errors.js';
import { decodeBase64Image } from '../src/input.js';

const RUNS = Number(process.env.BASE64_FUZZ_RUNS ?? 20_000);

/** A payload in the standard alphabet, padded, without whitespace. */
function canonical(payload: string): string {
  const standard = payload.replace(/\s+/g, '').replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}

/** The payload after the data URL's comma, or the whole text. */
function payloadOf(text: string): string {
  return text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
}

/** Either bytes the text truly encodes, or one of the two input errors; nothing else. */
function checkOne(text: string): void {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64Image(text);
  } catch (error) {
    if (error instanceof InvalidBase64Error || error instanceof EmptyInputError) return;
    throw error;
  }
  // Nothing skipped: the payload, cleaned of whitespace and in the standard alphabet, is valid
  // base64 through and through, and the bytes are what it encodes.
  const clean = canonical(payloadOf(text));
  expect(clean).toMatch(/^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/);
  expect(Buffer.from(bytes)).toEqual(Buffer.from(clean, 'base64'));
}

const prefix = fc.constantFrom(
  '',
  'data:image/png;base64,',
  'data:image/jpeg;base64,',
  'data:;base64,',
  'data:image/png;charset=utf-8;base64,',
  'data:image/png,',
  'data:base64',
  'data:',
  'DATA:image/png;base64,',
  'data:image/png;base64;,',
);
const piece = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z0-9+/]{1,12}$/) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('=', '==', '===', '\n', '\r\n', ' ', '\t', '\u00a0', '\u2028') },
  { weight: 1, arbitrary: fc.constantFrom('%', '.', ',', ';', '\0', '\u00ff', '\ud800', 'é', '😀', 'data:') },
);
const grammarText = fc.tuple(prefix, fc.array(piece, { maxLength: 40 })).map(([p, parts]) => p + parts.join(''));

describe('decodeBase64Image under fuzzing', () => {
  it('answers bytes the text truly encodes, or an input error, for arbitrary text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkOne), { numRuns: RUNS });
  });

  it('does the same for text built from data-URL and base64 pieces', () => {
    fc.assert(fc.property(grammarText, checkOne), { numRuns: RUNS });
  });

  it('gives back the exact bytes of every valid spelling', () => {
    const spelling = fc.record({
      urlSafe: fc.boolean(),
      padded: fc.boolean(),
      lineBreaks: fc.boolean(),
      prefix: fc.constantFrom('', 'data:image/png;base64,', 'data:application/octet-stream;base64,'),
    });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), spelling, (bytes, how) => {
        let text = Buffer.from(bytes).toString('base64');
        if (how.urlSafe) text = text.replaceAll('+', '-').replaceAll('/', '_');
        if (!how.padded) text = text.replace(/=+$/, '');
        if (how.lineBreaks) text = text.replace(/.{1,76}/g, '$&\r\n');
        expect(Buffer.from(decodeBase64Image(how.prefix + text))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: RUNS },
    );
  });
});
