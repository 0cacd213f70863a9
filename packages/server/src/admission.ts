/**
 * Bounded admission (MAX_QUEUE), the one place its rationale is written down.
 *
 * At most `limit` requests may have an inference running or waiting for a thread. Past that
 * the server answers 503 "Server busy" with Retry-After at once instead of queueing, so latency
 * stays bounded under overload and the client learns to back off rather than time out.
 *
 * - The default limit is 4 × the inference threads (T): an admitted request waits behind at
 *   most limit − T others, i.e. about 4 inference times; deep enough to absorb a burst and
 *   keep every thread fed while answers go out, shallow enough that overload shows as 503s.
 * - A slot is held around the engine call only, not the whole request: the cost to bound is
 *   inference, while a slow upload holding a slot would refuse work with the threads idle
 *   (bodies are bounded one by one by MAX_BODY_MB anyway). Waiting for the engine to load
 *   counts too, so a burst at start-up is refused rather than piled up.
 * - A request that arrives while every slot is taken is refused before its body is parsed:
 *   parsing up to MAX_BODY_MB of JSON only to refuse would steal CPU from the inferences. One
 *   let in may still be refused if the slots filled up while its body arrived.
 * - The slot is given back when the engine call settles, whatever the outcome; a client that
 *   hangs up keeps it until its inference ends, since the thread is busy until then anyway.
 *
 * Live streams share the same slots, but only part of them: streams together hold at most
 * `streamLimit` (default half the limit, at least 1). A stream sends its next frame as soon as
 * the last is answered, so a handful of streams alone would otherwise keep every slot taken
 * and every HTTP request refused. With the split, HTTP always finds the other half free, and
 * waits behind at most `streamLimit` stream inferences. A stream's frame does not get 503: it
 * waits in a first-come queue for a stream slot (each stream has at most one frame waiting,
 * the newest, stream.ts), so streams take turns and the queue is bounded by the open streams.
 *
 * A plain counter is enough: the event loop is one thread, so check-and-increment is atomic.
 */
export interface Admission {
  /** The maximum number of requests admitted at once. */
  readonly limit: number;
  /** The most slots live streams may hold together. */
  readonly streamLimit: number;
  /** Requests admitted and not yet released: inferences running plus those waiting for a thread. */
  readonly inFlight: number;
  /** Every slot is taken: `tryAcquire` would refuse. */
  readonly full: boolean;
  /**
   * Takes a slot: a function that gives it back (once, however often it is called), or
   * `undefined` when all `limit` slots are taken.
   */
  tryAcquire(): Release | undefined;
  /**
   * A slot for a stream's frame, once one is free within the streams' share: resolves with its
   * release, or with `undefined` if `signal` aborts first (the stream closed).
   */
  acquireForStream(signal: AbortSignal): Promise<Release | undefined>;
}

export type Release = () => void;

export function createAdmission(limit: number, streamLimit = Math.max(1, Math.floor(limit / 2))): Admission {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`the admission limit must be a whole number ≥ 1, got ${limit}`);
  if (!Number.isInteger(streamLimit) || streamLimit < 1 || streamLimit > limit)
    throw new RangeError(`the streams' share must be a whole number from 1 to ${limit}, got ${streamLimit}`);
  let inFlight = 0;
  let streamsInFlight = 0;
  /** Streams waiting for a slot, oldest first; one that closes leaves the queue at once (onAbort). */
  const waiting: (() => void)[] = [];
  const full = () => inFlight >= limit;
  const streamFull = () => full() || streamsInFlight >= streamLimit;

  const take = (stream: boolean): Release => {
    inFlight++;
    if (stream) streamsInFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      if (stream) streamsInFlight--;
      // Hand the freed slot to the streams that wait, oldest first.
      while (waiting.length > 0 && !streamFull()) waiting.shift()?.();
    };
  };

  return {
    limit,
    streamLimit,
    get inFlight() {
      return inFlight;
    },
    get full() {
      return full();
    },
    tryAcquire() {
      return full() ? undefined : take(false);
    },
    acquireForStream(signal) {
      if (signal.aborted) return Promise.resolve(undefined);
      if (!streamFull() && waiting.length === 0) return Promise.resolve(take(true));
      return new Promise((resolve) => {
        const waiter = () => {
          signal.removeEventListener('abort', onAbort);
          resolve(take(true));
        };
        const onAbort = () => {
          const index = waiting.indexOf(waiter);
          if (index >= 0) waiting.splice(index, 1);
          resolve(undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}
