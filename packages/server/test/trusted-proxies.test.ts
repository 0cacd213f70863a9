/**
 * TRUST_PROXY by address: X-Forwarded-For is believed only past proxies we trust, only valid
 * IP addresses are taken from it, and bucket names carry their kind, so no header buys a fresh
 * bucket or drains someone else's.
 */
import { createEngine, type Engine } from '@emotion/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApp } from '../src/app.js';
import { readSettings } from '../src/config.js';
import { createLogger } from '../src/request-log.js';
import { parseAddress, parseTrustProxy, type TrustProxy } from '../src/trusted-proxies.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
beforeEach(() => vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-05T12:00:00Z') }));
afterEach(() => vi.useRealTimers());

/** Bursts of 3, one more per second. */
const limit = readSettings({ RATE_LIMIT: '60/min', RATE_LIMIT_BURST: '3' }).rateLimit!;

type App = ReturnType<typeof createApp>;

/** A request from socket peer `peer` that passes the limiter and is answered without inference (400). */
function cheap(app: App, peer: string, headers: Record<string, string> = {}) {
  return app.request(
    '/predict',
    { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' },
    { incoming: { socket: { remoteAddress: peer } } },
  );
}

async function statuses(app: App, requests: [string, Record<string, string>?][]): Promise<number[]> {
  const out: number[] = [];
  for (const [peer, headers] of requests) out.push((await cheap(app, peer, headers)).status);
  return out;
}

const xff = (value: string) => ({ 'X-Forwarded-For': value });
const app = (trustProxy: TrustProxy, extra: Parameters<typeof createApp>[1] = {}) =>
  createApp(engine, { webRoot: null, rateLimit: limit, trustProxy, ...extra });

describe('TRUST_PROXY', () => {
  it('reads a hop count, or addresses, CIDR ranges and shorthands; anything else is an error naming it', () => {
    expect(readSettings({}).trustProxy).toBe(0);
    expect(readSettings({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    const list = parseTrustProxy('10.0.0.0/8, fd00::/8,192.0.2.7, loopback');
    if (typeof list === 'number') throw new Error('expected addresses');
    const trusts = (text: string) => list.trusts(parseAddress(text)!);
    expect(['10.1.2.3', 'fd12::1', '192.0.2.7', '127.0.0.1', '::1', '::ffff:10.9.9.9'].map(trusts)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['11.0.0.1', 'fe00::1', '192.0.2.8', '::2'].map(trusts)).toEqual([false, false, false, false]);
    const named = parseTrustProxy('private');
    if (typeof named === 'number') throw new Error('expected addresses');
    expect(['172.20.0.1', '192.168.1.1', 'fc00::5', '8.8.8.8'].map((a) => named.trusts(parseAddress(a)!))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(JSON.stringify(readSettings({ TRUST_PROXY: 'loopback,10.0.0.0/8' }).trustProxy)).toBe(
      '"loopback,10.0.0.0/8"',
    );
    for (const bad of [
      'yes',
      '17',
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/8,proxy.internal',
      '10.0.0/8',
      ',',
      '1.2.3.4/8/1',
    ]) {
      expect(() => readSettings({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY must be a whole number from 0 to 16/);
    }
  });

  it('by address: a client talking directly gets one bucket whatever X-Forwarded-For it writes', async () => {
    const direct = app(parseTrustProxy('10.0.0.0/8'));
    const spoofed = Array.from({ length: 8 }, (_, i): [string, Record<string, string>] => [
      '192.0.2.1',
      xff(`203.0.113.${i}`),
    ]);
    expect(await statuses(direct, spoofed)).toEqual([400, 400, 400, 429, 429, 429, 429, 429]);
  });

  it('by address: through a trusted proxy each client has its own bucket; entries before the client are ignored', async () => {
    const proxied = app(parseTrustProxy('10.0.0.0/8'));
    expect(
      await statuses(
        proxied,
        [0, 1, 2, 3].map((i) => ['10.0.0.2', xff(`203.0.113.${i}`)]),
      ),
    ).toEqual([400, 400, 400, 400]);
    // Two trusted hops (10.0.0.7 then 10.0.0.2): the client is the entry before them; what the
    // client itself wrote first changes nothing.
    const forged = [0, 1, 2, 3].map((i): [string, Record<string, string>] => [
      '10.0.0.2',
      xff(`6.6.6.${i}, 198.51.100.9, 10.0.0.7`),
    ]);
    expect(await statuses(proxied, forged)).toEqual([400, 400, 400, 429]);
  });

  it('only valid IP addresses are taken: junk stops at the proxy that passed it on', async () => {
    const proxied = app(parseTrustProxy('10.0.0.0/8'));
    const junk = ['key2', 'not-an-ip', '203.0.113.5:4711', '[2001:db8::1]', 'unknown', '0x7f.1', ' '];
    const seen = await statuses(
      proxied,
      junk.map((value) => ['10.0.0.2', xff(value)]),
    );
    // One bucket, the proxy's own (ip:10.0.0.2): three through, the rest refused.
    expect(seen).toEqual([400, 400, 400, 429, 429, 429, 429]);
  });

  it('with a hop count too, junk gets no bucket of its own', async () => {
    const oneHop = app(1);
    expect(
      await statuses(
        oneHop,
        ['a', 'b', 'c', 'd'].map((v) => ['192.0.2.9', xff(`name-${v}`)]),
      ),
    ).toEqual([400, 400, 400, 429]);
  });

  it("X-Forwarded-For: key2 from a keyless client does not touch key2's bucket", async () => {
    const keys = readSettings({ API_KEYS: 'first-key-0123456789,second-key-0123456789' }).apiKeys;
    const keyed = app(1, { apiKeys: keys });
    for (const value of ['key2', 'key:key2', 'ip:key2']) {
      expect(await statuses(keyed, [['192.0.2.66', xff(value)]])).toEqual([401]);
    }
    const response = await cheap(keyed, '192.0.2.66', { 'X-API-Key': 'second-key-0123456789' });
    expect(response.status).toBe(400);
    expect(response.headers.get('ratelimit-remaining')).toBe('2'); // a full bucket, less this request
  });

  it('IPv6 clients share a bucket per /64; an IPv4-mapped peer is the IPv4 address', async () => {
    const direct = app(0);
    expect(
      await statuses(direct, [
        ['2001:db8:1:2::1'],
        ['2001:db8:1:2::ffff'],
        ['2001:db8:1:2:abcd::9'],
        ['2001:db8:1:2::2'],
      ]),
    ).toEqual([400, 400, 400, 429]);
    expect(await statuses(direct, [['2001:db8:1:3::1']])).toEqual([400]);
    expect(await statuses(direct, [['::ffff:192.0.2.5'], ['192.0.2.5'], ['::ffff:192.0.2.5'], ['192.0.2.5']])).toEqual([
      400, 400, 400, 429,
    ]);
  });

  it('loopback trusts a local proxy on a dual-stack socket; the log names the client it found', async () => {
    const lines: string[] = [];
    const logger = createLogger('json', 'info', { destination: { write: (line: string) => lines.push(line) } });
    const local = app(parseTrustProxy('loopback'), { logger });
    await cheap(local, '::ffff:127.0.0.1', xff('2001:db8::7'));
    await cheap(local, '::ffff:127.0.0.1', xff('not-an-ip'));
    expect(lines.map((line) => JSON.parse(line).client)).toEqual(['2001:db8::7', '127.0.0.1']);
  });
});
