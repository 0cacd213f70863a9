/**
 * How many live streams may be open: per caller (its API key's name, else its address) and in
 * all. Each open stream may hold up to two frames of MAX_BODY_MB and STREAM_MAX_BUFFERED_KB of
 * answers, so these caps are what bounds the memory streams can take.
 *
 * The check runs before the upgrade (a refusal is an HTTP status the client can read); the
 * count is taken once the handshake has succeeded and given back when the socket closes, so
 * a handshake that fails half-way holds nothing. Two handshakes racing for the last place
 * both pass the check; the second is closed at once with 1013 (try again later).
 */
export interface OpenStreams {
  readonly open: number;
  /** Why `caller` may not open another stream now, or undefined when it may. */
  refusal(caller: string): 'caller' | 'server' | undefined;
  /** Counts a stream as open: its release, or undefined when a cap was reached meanwhile. */
  add(caller: string): (() => void) | undefined;
}

export function createOpenStreams(perCaller: number, total: number): OpenStreams {
  const byCaller = new Map<string, number>();
  let open = 0;
  const refusal = (caller: string) => {
    if (open >= total) return 'server' as const;
    if ((byCaller.get(caller) ?? 0) >= perCaller) return 'caller' as const;
    return undefined;
  };
  return {
    get open() {
      return open;
    },
    refusal,
    add(caller) {
      if (refusal(caller)) return undefined;
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
    },
  };
}
