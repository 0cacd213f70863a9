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
 * A plain counter is enough: the event loop is one thread, so check-and-increment is atomic.
 */
export interface Admission {
  /** The maximum number of requests admitted at once. */
  readonly limit: number;
  /** Requests admitted and not yet released: inferences running plus those waiting for a thread. */
  readonly inFlight: number;
  /** Every slot is taken: `tryAcquire` would refuse. */
  readonly full: boolean;
  /**
   * Takes a slot: a function that gives it back (once, however often it is called), or
   * `undefined` when all `limit` slots are taken.
   */
  tryAcquire(): (() => void) | undefined;
}

export function createAdmission(limit: number): Admission {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`the admission limit must be a whole number ≥ 1, got ${limit}`);
  let inFlight = 0;
  const full = () => inFlight >= limit;
  return {
    limit,
    get inFlight() {
      return inFlight;
    },
    get full() {
      return full();
    },
    tryAcquire() {
      if (full()) return undefined;
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inFlight--;
      };
    },
  };
}
