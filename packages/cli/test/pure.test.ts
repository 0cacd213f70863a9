/**
 * The CLI's pure modules, without spawning it or loading a model: argument parsers, the output
 * formats, failure records and Retry-After. The fast tier; the built CLI's behaviour end to end
 * is cli.test.ts's.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';

import { flag, positiveNumber, seconds, serverUrl, wholeNumber } from '../src/arguments.js';
import { createReporter, type Format } from '../src/formats.js';
import { retryAfterMs } from '../src/remote.js';
import { type ImageResult, isFailure, toFailure } from '../src/results.js';

describe('argument parsers', () => {
  it('take whole numbers and positive numbers within range, and refuse the rest', () => {
    expect(wholeNumber(0, 10)('7')).toBe(7);
    for (const bad of ['-1', '11', '2.5', 'x', '']) expect(() => wholeNumber(0, 10)(bad)).toThrow(InvalidArgumentError);
    expect(positiveNumber(60)('0.5')).toBe(0.5);
    for (const bad of ['0', '61', '-2', 'fast']) expect(() => positiveNumber(60)(bad)).toThrow(InvalidArgumentError);
  });

  it('read seconds as 90, 90.5, mm:ss or hh:mm:ss', () => {
    expect(seconds('90')).toBe(90);
    expect(seconds('90.5')).toBe(90.5);
    expect(seconds('1:30')).toBe(90);
    expect(seconds('0:01:30.5')).toBe(90.5);
    expect(() => seconds('1:2:3:4')).toThrow(InvalidArgumentError);
  });

  it('take http(s) server URLs only, and name flags as the help does', () => {
    expect(serverUrl('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(() => serverUrl('ftp://host')).toThrow(InvalidArgumentError);
    expect(() => serverUrl('not a url')).toThrow(InvalidArgumentError);
    expect(flag('minFaceSize')).toBe('--min-face-size');
  });
});

const happy: ImageResult = {
  file: 'a.jpg',
  faces: [
    {
      box: { x: 10.04, y: 20.06, width: 100, height: 100 },
      score: 0.91234,
      emotion: 'happy',
      emotions: [
        { label: 'happy', probability: 0.9 },
        { label: 'neutral', probability: 0.06 },
        { label: 'sad', probability: 0.04 },
      ],
    },
  ],
};
const empty: ImageResult = { file: 'b.png', faces: [] };
const broken = toFailure(
  'c.gif',
  Object.assign(new Error('Failed to decode image\ndetail'), { code: 'INVALID_IMAGE' }),
);

function run(format: Format, results: ImageResult[]): string {
  let out = '';
  const reporter = createReporter(format, (text) => {
    out += text;
  });
  for (const [index, result] of results.entries()) reporter.result(result, index);
  reporter.end();
  return out;
}

describe('output formats', () => {
  it('json and table list the images in input order, whatever order they finish in', () => {
    for (const format of ['json', 'table'] as const) {
      let out = '';
      const reporter = createReporter(format, (text) => {
        out += text;
      });
      reporter.result(broken, 2);
      reporter.result(happy, 0);
      reporter.result(empty, 1);
      expect(out).toBe('');
      reporter.end();
      expect(out).toBe(run(format, [happy, empty, broken]));
    }
  });

  it('toFailure keeps the code and the first line of the message', () => {
    expect(broken).toEqual({ file: 'c.gif', error: { code: 'INVALID_IMAGE', message: 'Failed to decode image' } });
    expect(isFailure(broken)).toBe(true);
    expect(toFailure('d', 'odd').error.code).toBe('UNKNOWN');
  });

  it('CSV: a row per face in the seven labels’ order, a row for no face and for an error', () => {
    const rows = run('csv', [happy, empty, broken]).trim().split('\n');
    expect(rows[0]).toBe(
      'file,face,x,y,width,height,score,emotion,angry,disgust,fear,happy,neutral,sad,surprise,error',
    );
    expect(rows[1]).toBe('a.jpg,1,10,20.1,100,100,0.9123,happy,0,0,0,0.9,0.06,0.04,0,');
    expect(rows[2]?.startsWith('b.png,')).toBe(true);
    expect(rows[3]?.endsWith(',INVALID_IMAGE')).toBe(true);
    expect(rows).toHaveLength(4);
  });

  it('NDJSON: one line per image as it finishes; JSON: one document at the end', () => {
    const lines = run('ndjson', [happy, broken]).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).file)).toEqual(['a.jpg', 'c.gif']);
    expect(JSON.parse(run('json', [happy, empty])).images).toEqual([happy, empty]);
  });

  it('table: the label in capitals with the top three, no face and the error said in words', () => {
    const text = run('table', [happy, empty, broken]);
    expect(text).toContain('HAPPY');
    expect(text).toContain('happy 90%, neutral 6%, sad 4%');
    expect(text).toContain('no face');
    expect(text).toContain('error INVALID_IMAGE');
  });
});

describe('Retry-After', () => {
  it('reads seconds or an HTTP date, and nothing else', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    const now = Date.parse('2026-12-05T12:00:00Z');
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('-5')).toBe(0);
  });
});
