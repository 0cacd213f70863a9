/** A progress bar on stderr with count, rate and ETA, only for a person watching a terminal. */
import { SingleBar } from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

/** `unit`: what is counted (images, frames); `total` may be an estimate (a video's frames). */
export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr, unit = 'images'): Progress {
  if (!stream.isTTY || total < 2) return { tick: () => {}, stop: () => {} };
  const started = performance.now();
  const bar = new SingleBar({
    stream,
    format: `{bar} {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
  });
  bar.start(total, 0, { rate: '0.0' });
  let done = 0;
  return {
    tick() {
      done++;
      const rate = done / ((performance.now() - started) / 1000);
      // An estimated total can be passed (a frame rate that varies): the bar then grows with it.
      if (done > bar.getTotal()) bar.setTotal(done);
      bar.update(done, { rate: rate.toFixed(1) });
    },
    stop: () => bar.stop(),
  };
}
