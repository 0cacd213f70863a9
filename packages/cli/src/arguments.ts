/** Parsers for the command line's values: each throws commander's InvalidArgumentError (exit 2). */
import { InvalidArgumentError } from 'commander';

export function wholeNumber(min: number, max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}

export function positiveNumber(max: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d*\.?\d+$/.test(raw) || !(value > 0) || value > max)
      throw new InvalidArgumentError(`expected a number above 0, at most ${max}`);
    return value;
  };
}

/** Seconds as `90`, `90.5`, `1:30` or `0:01:30.5`. */
export function seconds(raw: string): number {
  const match = /^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$/.exec(raw);
  if (!match) throw new InvalidArgumentError('expected seconds (90, 90.5) or [hh:]mm:ss');
  const [, hours = '0', minutes = '0', rest = '0'] = match;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(rest);
}

export function serverUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:5000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http(s) URL');
  return raw;
}

/** minFaceSize → --min-face-size */
export const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
