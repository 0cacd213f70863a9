/**
 * Per-caller stream caps that hold across a fleet (RATE_LIMIT_STORE=redis://…): each open
 * stream holds a lease in Redis, a member of the sorted set `emotion:streams:<caller>` scored
 * by when it expires. One Lua script per admission drops the expired members, counts the rest
 * against STREAM_MAX_PER_CALLER and adds the new one, atomically, so two replicas admitting at
 * once cannot both take the caller's last place. Open streams renew their lease every
 * RENEW_MS (from their heartbeat, stream.ts) and remove it when they close; a replica that
 * crashes renews nothing, so its streams stop counting within LEASE_MS on their own.
 * Expiry is on Redis's clock (TIME): replicas with skewed clocks agree on it.
 *
 * A second connection beside the bucket store's (redis-buckets.ts keeps its client to itself),
 * with the same settings: a command that cannot be sent now fails now, none waits longer than
 * RATE_LIMIT_STORE_TIMEOUT_MS. When Redis does not answer, the caller (open-streams.ts) applies
 * RATE_LIMIT_STORE_FAILURE; failed admissions are counted in the bucket store's metrics.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { redisClient, storeHealth, whenConnected } from './redis-store-health.js';
import type { RedisStoreSettings } from './types.js';

/** How often an open stream renews its lease. */
export const LEASE_RENEW_MS = 3_000;
/** How long a lease lasts unrenewed: three renewals may fail (or be late) before it lapses. */
export const LEASE_MS = 10_000;

const KEY_PREFIX = 'emotion:streams:';

// KEYS[1]: the caller's sorted set. ARGV: the operation (count | acquire | renew), the
// stream's id, the cap, the lease in ms. Answers the count before (count, acquire: -1 when
// refused) or 1 (renew). PEXPIRE keeps an idle caller's set from outliving its last lease.
const LEASE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local op = ARGV[1]
local lease = tonumber(ARGV[4])
if op == 'renew' then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], lease)
  return 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if op == 'count' then return open end
if open >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
redis.call('PEXPIRE', KEYS[1], lease)
return open
`;

type ScriptedRedis = Redis & {
  streamLease(key: string, op: string, id: string, cap: string, leaseMs: string): Promise<number>;
};

/** Thrown (and caught by open-streams.ts) when Redis did not answer: the failure mode applies. */
export class LeaseStoreDown extends Error {
  constructor(reason: string) {
    super(`the shared store (Redis) did not answer: ${reason}`);
    this.name = 'LeaseStoreDown';
  }
}

export interface StreamLeases {
  readonly onFailure: RedisStoreSettings['onFailure'];
  /** How many leases `caller` holds across the fleet. Rejects with LeaseStoreDown. */
  count(caller: string): Promise<number>;
  /** Takes a lease for stream `id` unless `caller` holds `cap` already: false then. Rejects with LeaseStoreDown. */
  acquire(caller: string, id: string, cap: number): Promise<boolean>;
  /** Extends (or, after a Redis restart, re-takes) the lease: false when Redis did not answer. */
  renew(caller: string, id: string): Promise<boolean>;
  /** Gives the lease back; if Redis does not answer it lapses on its own. */
  release(caller: string, id: string): Promise<void>;
  /** Counts an admission that Redis did not answer, by what was done instead. */
  failed(): void;
  /** Resolves once connected (or rejects after a failed first try); nothing need wait for it. */
  connected(): Promise<void>;
  close(): Promise<void>;
}

export interface StreamLeasesOptions {
  /** Where the store's metrics are (those of redis-buckets.ts, shared when it made them first). */
  registry?: Registry;
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** Prepended to every caller's key (tests keep runs apart with it). */
  keyPrefix?: string;
  /** Lease length in ms; default LEASE_MS. */
  leaseMs?: number;
}

export function redisStreamLeases(settings: RedisStoreSettings, options: StreamLeasesOptions = {}): StreamLeases {
  const redis = redisClient(settings) as ScriptedRedis;
  redis.defineCommand('streamLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
  const prefix = KEY_PREFIX + (options.keyPrefix ?? '');
  const leaseMs = String(options.leaseMs ?? LEASE_MS);
  const health = storeHealth({
    subject: 'stream caps',
    shared: 'caps are fleet-wide',
    instead: { local: "this replica's own caps", closed: '503 to every new stream' },
    onFailure: settings.onFailure,
    // The bucket store, on the same Redis, announces it.
    announceStart: false,
    logger: options.logger,
    registry: options.registry,
  });

  /** The leases this replica holds, by stream id: given back at close. */
  const held = new Map<string, string>();
  let closed = false;
  // Unheard, ioredis prints connection errors itself; the bucket store's client reports them already.
  redis.on('error', () => {});
  redis.on('ready', () => health.connected());

  const run = async (caller: string, op: string, id: string, cap: number): Promise<number> => {
    if (redis.status !== 'ready') {
      if (!health.starting) health.markDown(`connection ${redis.status}`);
      throw new LeaseStoreDown(`connection ${redis.status}`);
    }
    if (health.pausing) throw new LeaseStoreDown('backing off after a failure');
    try {
      const answer = await redis.streamLease(prefix + caller, op, id, String(cap), leaseMs);
      health.markUp();
      return answer;
    } catch (error) {
      const reason = (error as Error).message;
      health.markDown(reason, true);
      throw new LeaseStoreDown(reason);
    }
  };

  return {
    onFailure: settings.onFailure,
    count: (caller) => run(caller, 'count', '', 0),
    async acquire(caller, id, cap) {
      if (closed || (await run(caller, 'acquire', id, cap)) < 0) return false;
      held.set(id, caller);
      return true;
    },
    async renew(caller, id) {
      if (closed) return false;
      // Before the answer: a release may come while it is on its way, and must not be undone.
      held.set(id, caller);
      try {
        await run(caller, 'renew', id, 0);
        return true;
      } catch {
        return false;
      }
    },
    async release(caller, id) {
      if (!held.delete(id) || redis.status !== 'ready') return;
      await redis.zrem(prefix + caller, id).catch(() => {});
    },
    failed: health.countFallback,
    connected: () => whenConnected(redis),
    async close() {
      // Streams still closing at shutdown give their places back now, not a lease time later:
      // their clients may be reconnecting to another replica already.
      closed = true;
      if (held.size > 0 && redis.status === 'ready') {
        const pipeline = redis.pipeline();
        for (const [id, caller] of held) pipeline.zrem(prefix + caller, id);
        held.clear();
        await pipeline.exec().catch(() => {});
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
