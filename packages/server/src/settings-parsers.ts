/**
 * The settings schema's building blocks (settings-schema.ts): each turns a variable's text into
 * its value, or throws the one line that names the variable and says what it accepts.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { NamedKeyHash } from './types.js';

export const MIN_KEY_LENGTH = 16;

export type Section =
  | 'Listening'
  | 'Requests'
  | 'Engine'
  | 'API keys and rate limits'
  | 'Live stream'
  | 'Logs and metrics';
export interface SettingDoc {
  section: Section;
  /** The default as the table shows it. */
  default: string;
  description: string;
}
export const docs = z.registry<SettingDoc>();

/** A variable's value, or undefined when unset (blank counts as unset); `parse` throws its error line. */
function parsed<T>(parse: (raw: string) => T) {
  return z.preprocess(
    (raw) => (raw === '' ? undefined : raw),
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        try {
          return parse(raw);
        } catch (error) {
          ctx.issues.push({ code: 'custom', message: (error as Error).message, input: raw });
          return z.NEVER;
        }
      }),
  );
}

/** A variable whose absence means something else decides (the engine, another setting): undefined when unset. */
export function variable<T>(parse: (raw: string) => T, doc: SettingDoc) {
  return parsed(parse).register(docs, doc);
}

/**
 * A variable with a default of its own: `fallback` when unset, and the table's default, as
 * `String(fallback)` unless `doc` words it (so the value and the table cannot disagree).
 */
export function defaulted<T>(
  parse: (raw: string) => T,
  fallback: T,
  doc: Omit<SettingDoc, 'default'> & { default?: string },
) {
  return parsed(parse)
    .transform((value) => value ?? fallback)
    .register(docs, { ...doc, default: doc.default ?? String(fallback) });
}

export function wholeNumber(name: string, min: number, max: number) {
  return (raw: string) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max)
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    return value;
  };
}

export function oneOf<const T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw))
      throw new Error(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

const PERIOD_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};

/** "600/min", "10/s", "5000/hour" → the count and requests per second; "off" → undefined. */
export function rate(text: string): { perSecond: number; count: number; text: string } | undefined {
  if (text === 'off') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*([a-z]+)$/i.exec(text.trim());
  const period = match ? PERIOD_SECONDS[(match[2] ?? '').toLowerCase()] : undefined;
  const count = Number(match?.[1]);
  if (!match || period === undefined || !(count > 0))
    throw new Error(`RATE_LIMIT must be a count per period such as 600/min, 10/s or 5000/hour, got "${text}"`);
  return { perSecond: count / period, count, text: text.trim() };
}

/** API_KEYS: comma-separated keys, named key1, key2… by position, so a log can say which was used. */
export function quickStartKeys(list: string): NamedKeyHash[] {
  const keys = list
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < MIN_KEY_LENGTH || /\s/.test(key)))
    throw new Error(
      `API_KEYS must be comma-separated keys of at least ${MIN_KEY_LENGTH} characters without spaces (e.g. from "openssl rand -hex 32")`,
    );
  return keys.map((key, index) => ({ name: `key${index + 1}`, sha256: createHash('sha256').update(key).digest() }));
}

/**
 * API_KEYS_FILE: one key per line, `name:sha256-hex` (the SHA-256 of the key, never the key);
 * blank lines and lines starting with # are skipped. Make a line with
 * `echo "my-app:$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)"`.
 */
export function parseKeysFile(text: string, path: string): NamedKeyHash[] {
  const keys: NamedKeyHash[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^([\w.@-]{1,64}):([0-9a-f]{64})$/i.exec(line);
    if (!match)
      throw new Error(
        `API_KEYS_FILE (${path}) line ${index + 1}: expected "name:sha256-hex" (a name of letters, digits, . _ - @ and the key's 64-digit SHA-256)`,
      );
    const [, name = '', hex = ''] = match;
    keys.push({ name, sha256: Buffer.from(hex, 'hex') });
  });
  if (keys.length === 0) throw new Error(`API_KEYS_FILE (${path}) holds no key`);
  return keys;
}

export function corsOrigins(raw: string): '*' | string[] {
  if (raw.trim() === '*') return '*';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0 || origins.some((origin) => !/^https?:\/\/[^/\s]+$/.test(origin)))
    throw new Error(
      `CORS_ORIGINS must be * or comma-separated origins such as https://app.example.com (scheme and host, no path), got "${raw}"`,
    );
  return origins;
}

export function redisUrl(raw: string): string {
  if (raw === 'memory') return raw;
  if (!/^rediss?:\/\/[^/\s]+/.test(raw) || !URL.canParse(raw))
    throw new Error(
      'RATE_LIMIT_STORE must be memory or a redis:// (or rediss://) URL such as redis://redis:6379 (the password in RATE_LIMIT_STORE_PASSWORD)',
    );
  return raw;
}

export const ms = (name: string, min = 1, max = 3_600_000) => wholeNumber(name, min, max);
