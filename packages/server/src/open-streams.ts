/**
 * How many live streams may be open: per caller (its API key's name, else its address) and in
 * all. Each open stream may hold up to two frames of MAX_BODY_MB and STREAM_MAX_BUFFERED_KB of
 * answers, so these caps are what bounds the memory streams can take.
 *
 * The check runs before the upgrade (a refusal is an HTTP status the client can read); the
 * count is taken once the handshake has succeeded and given back when the socket closes, so
 * a handshake that fails half-way holds nothing. Two handshakes racing for the last place
 * both pass the check; the second is closed at once with 1013 (try again later).
 *
 * With RATE_LIMIT_STORE=redis://… the per-caller cap holds across the fleet: each stream also
 * holds a lease in Redis (redis-stream-leases.ts), renewed from its heartbeat. The total cap
 * (STREAM_MAX_OPEN) stays per replica: it bounds this process's memory, which no other
 * replica's streams take. When Redis does not answer, RATE_LIMIT_STORE_FAILURE decides:
 * `local`, this replica's own per-caller count; `closed`, 503 before the upgrade (1013 after).
 */
import { randomUUID } from 'node:crypto';

import { ServerBusyError } from './errors.js';
import { LEASE_RENEW_MS, LeaseStoreDown, type StreamLeases } from './redis-stream-leases.js';

/** What an open stream holds while it is counted. */
export interface StreamLease {
  /** Call on every heartbeat: renews the stream's fleet-wide lease when due (a no-op in memory). */
  renew(): void;
  /** Gives the place back; once is enough, more are ignored. */
  release(): void;
}

export interface OpenStreams {
  /** Streams open on this replica. */
  readonly open: number;
  /**
   * Why `caller` may not open another stream now, or undefined when it may. Rejects with
   * ServerBusyError (503) when the shared store is down and RATE_LIMIT_STORE_FAILURE=closed.
   */
  refusal(caller: string): Promise<'caller' | 'server' | undefined>;
  /** Counts a stream as open: its lease, or undefined when a cap was reached meanwhile. */
  add(caller: string): Promise<StreamLease | undefined>;
}

/** `leases`: the fleet-wide per-caller count in Redis; absent, every count is this process's. */
export function createOpenStreams(perCaller: number, total: number, leases?: StreamLeases): OpenStreams {
  const byCaller = new Map<string, number>();
  let open = 0;
  const localRefusal = (caller: string) => {
    if (open >= total) return 'server' as const;
    if ((byCaller.get(caller) ?? 0) >= perCaller) return 'caller' as const;
    return undefined;
  };
  /** Counts one more stream for `caller` here, unchecked; answers its release. */
  const take = (caller: string) => {
    open++;
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open--;
      const left = (byCaller.get(caller) ?? 1) - 1;
      if (left === 0) byCaller.delete(caller);
      else byCaller.set(caller, left);
    };
  };

  if (!leases) {
    return {
      get open() {
        return open;
      },
      refusal: async (caller) => localRefusal(caller),
      async add(caller) {
        if (localRefusal(caller)) return undefined;
        return { renew: () => {}, release: take(caller) };
      },
    };
  }

  /** Redis did not answer: counted, then `closed` refuses and `local` counts here only. */
  const storeDown = (error: unknown) => {
    if (!(error instanceof LeaseStoreDown)) throw error;
    leases.failed();
    return leases.onFailure;
  };

  return {
    get open() {
      return open;
    },
    async refusal(caller) {
      if (open >= total) return 'server';
      try {
        return (await leases.count(caller)) >= perCaller ? 'caller' : undefined;
      } catch (error) {
        if (storeDown(error) === 'closed') throw new ServerBusyError(1);
        return localRefusal(caller);
      }
    },
    async add(caller) {
      if (open >= total) return undefined;
      // Held here at once, so handshakes completing while Redis answers cannot pass the total cap.
      const releaseHere = take(caller);
      const id = randomUUID();
      try {
        if (!(await leases.acquire(caller, id, perCaller))) {
          releaseHere();
          return undefined;
        }
      } catch (error) {
        // `local`: this replica's count, which includes the place just taken.
        if (storeDown(error) === 'closed' || (byCaller.get(caller) ?? 0) > perCaller) {
          releaseHere();
          return undefined;
        }
        // Its renewals still try Redis: once Redis is back, the stream counts there too.
      }
      let released = false;
      let renewing = false;
      let renewedAt = performance.now();
      return {
        renew() {
          if (released || renewing || performance.now() - renewedAt < LEASE_RENEW_MS) return;
          renewing = true;
          void leases.renew(caller, id).then((renewed) => {
            renewing = false;
            // A renewal Redis did not answer is tried again at the next heartbeat.
            if (renewed) renewedAt = performance.now();
          });
        },
        release() {
          if (released) return;
          released = true;
          releaseHere();
          // On the same connection as any renewal still on its way, so it cannot be re-added after.
          void leases.release(caller, id);
        },
      };
    },
  };
}
