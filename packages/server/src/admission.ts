/**
 * Bounded admission: at most `limit` requests may have an inference running or waiting for a
 * thread. Past that the server answers 503 at once instead of queueing, so latency stays
 * bounded under overload and the client learns to back off (Retry-After) rather than time out.
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
