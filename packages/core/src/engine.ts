/**
 * The engine: loads once, then analyses many images at once on threads of its own (never on
 * libuv's pool, so the host app's file system, DNS, crypto and zlib never wait behind a model),
 * with a bounded queue, cancellation and a time limit per call.
 */
import type { Readable } from 'node:stream';

import { AbortedError, EngineClosedError, fromNative, TimeoutError } from './errors.js';
import { type ImageSource, type NativeImage, resolveImage } from './input.js';
import { type CallToken, loadAddon, type NativeEngine, type NativeEngineOptions } from './native.js';
import { runtimeSearchRoot } from './runtime.js';
import { type AnalyzeVideoOptions, analyzeVideo, type VideoAnalysis } from './video.js';
import { createTracker, type Smoothed, type TrackerOptions } from './tracking/index.js';
import type {
  AnnotateOptions,
  Annotated,
  AnnotationMark,
  EmotionLabel,
  EngineOptions,
  Face,
  SeedAnswer,
} from './types.js';

/** Per call: a way to stop it, and a time limit. */
export interface CallOptions {
  /**
   * Aborting rejects the call at once with `AbortedError` (its `cause` the signal's reason). A
   * call still waiting for a thread never runs; a running one stops after its current model run.
   */
  signal?: AbortSignal;
  /** Milliseconds, queueing included, before the call rejects with `TimeoutError`; stopped alike. */
  timeout?: number;
}

export interface DominantEmotionOptions extends CallOptions {
  /** The emotions to choose from, a tie going to the one listed first. Default: all seven. */
  among?: readonly EmotionLabel[];
}

/** A frame for `track`: an image, or an image with the time it was taken (default: when it arrives). */
export type TrackFrame = ImageSource | { image: ImageSource; timeMs?: number };

export interface TrackOptions extends TrackerOptions {
  /** Stops the iteration: the frame being analysed is aborted. */
  signal?: AbortSignal;
}

/** A face followed from frame to frame: its stable id, smoothed emotions and this frame's raw result. */
export interface TrackedFace extends Smoothed {
  face: Face;
}

export interface TrackedFrame {
  timeMs: number;
  faces: TrackedFace[];
  /** Frames skipped since the last one yielded: they arrived while this one waited (newest wins). */
  dropped: number;
}

export interface Engine extends AsyncDisposable {
  /** How many calls run at once, each on a thread of the engine's own. */
  readonly threads: number;

  /**
   * Finds every face in an image (encoded bytes, base64, `{ path }`, a Readable, or decoded
   * pixels), best-scoring first; [] when there is none. Rejects with an `EmotionError`
   * subclass (e.g. `InvalidImageError`, `EngineBusyError`).
   */
  analyze(input: ImageSource, options?: CallOptions): Promise<Face[]>;

  /**
   * The largest face's most likely emotion (of `options.among`, when given), or null when
   * there is no face. Cheaper than `analyze`: only that face is measured.
   */
  dominantEmotion(input: ImageSource, options?: DominantEmotionOptions): Promise<EmotionLabel | null>;

  /**
   * "HAPPY" or "SAD" for the largest face, whichever is more likely, or "No face detected".
   * @deprecated Use `dominantEmotion(input, { among: ['happy', 'sad'] })`; this alias goes in the next version.
   */
  predictSeed(input: ImageSource): Promise<SeedAnswer>;

  /**
   * `analyze`, plus the image with each face's box and emotion label (and with `mesh`, its
   * 468 landmarks) drawn on it by the Rust core, encoded as PNG (default) or JPEG.
   */
  analyzeAnnotated(input: ImageSource, options?: AnnotateOptions & CallOptions): Promise<Annotated>;

  /**
   * The image with `marks` drawn on it by the same annotator (boxes in their emotions' colours,
   * their texts, optionally each face's mesh), encoded as PNG (default) or JPEG: for faces a
   * caller labels itself, e.g. tracked ones with their ids and smoothed emotions.
   */
  annotate(
    input: ImageSource,
    marks: readonly AnnotationMark[],
    options?: Pick<AnnotateOptions, 'format'> & CallOptions,
  ): Promise<Buffer>;

  /**
   * Live video: each frame analysed and its faces tracked (stable ids, emotions smoothed over
   * `timeConstantMs`, raw values kept). While a frame is analysed, newer frames replace the one
   * waiting, so the answers keep up with the source however slow the analysis.
   */
  track(frames: AsyncIterable<TrackFrame>, options: TrackOptions): AsyncGenerator<TrackedFrame>;

  /**
   * A video file or readable stream, decoded by the installed ffmpeg: its frames analysed,
   * tracked and smoothed, in order, then a summary (video.ts, `analyzeVideo`).
   */
  analyzeVideo(source: string | Readable, options?: AnalyzeVideoOptions): VideoAnalysis;

  /**
   * Refuses new calls (`EngineClosedError`), lets those queued or running settle, then frees
   * the models and ends the engine's threads. `await using engine = await createEngine()` calls it.
   */
  close(): Promise<void>;
}

class NodeEngine implements Engine {
  private closing: Promise<void> | undefined;
  /** Calls accepted but still reading their input: close() lets them reach the engine first. */
  private readonly starting = new Set<Promise<unknown>>();
  private readonly native: NativeEngine;
  private readonly CallToken: new () => CallToken;

  constructor(native: NativeEngine, callToken: new () => CallToken) {
    this.native = native;
    this.CallToken = callToken;
  }

  get threads(): number {
    return this.native.threads;
  }

  async analyze(input: ImageSource, options: CallOptions = {}): Promise<Face[]> {
    return await this.call(input, options, (image, token) => this.native.analyze(image, token));
  }

  async dominantEmotion(input: ImageSource, options: DominantEmotionOptions = {}): Promise<EmotionLabel | null> {
    const among = [...(options.among ?? [])];
    return await this.call(input, options, (image, token) => this.native.dominantEmotion(image, among, token));
  }

  async analyzeAnnotated(input: ImageSource, options: AnnotateOptions & CallOptions = {}): Promise<Annotated> {
    const drawing = { mesh: options.mesh, format: options.format };
    const { faces, image } = await this.call(input, options, (bytes, token) =>
      this.native.analyzeAnnotated(bytes, drawing, token),
    );
    return { faces, image };
  }

  annotate(
    input: ImageSource,
    marks: readonly AnnotationMark[],
    options: Pick<AnnotateOptions, 'format'> & CallOptions = {},
  ): Promise<Buffer> {
    return this.call(input, options, (image, token) => this.native.annotate(image, [...marks], options.format, token));
  }

  async predictSeed(input: ImageSource): Promise<SeedAnswer> {
    const emotion = await this.dominantEmotion(input, { among: ['happy', 'sad'] });
    return emotion === 'happy' ? 'HAPPY' : emotion === 'sad' ? 'SAD' : 'No face detected';
  }

  analyzeVideo(source: string | Readable, options?: AnalyzeVideoOptions): VideoAnalysis {
    return analyzeVideo(this, source, options);
  }

  async *track(frames: AsyncIterable<TrackFrame>, options: TrackOptions): AsyncGenerator<TrackedFrame> {
    const tracker = createTracker(options);
    const { signal } = options;
    let waiting: { image: ImageSource; timeMs: number } | undefined;
    let dropped = 0;
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    // The source is read as fast as it gives frames; only the newest waits for the analysis.
    const reading = (async () => {
      try {
        for await (const frame of frames) {
          if (signal?.aborted) break;
          if (waiting) dropped++;
          const wrapped = isFrameWrapper(frame) ? frame : { image: frame };
          waiting = { image: wrapped.image, timeMs: wrapped.timeMs ?? performance.now() };
          wake?.();
        }
      } catch (error) {
        failure = error;
      } finally {
        ended = true;
        wake?.();
      }
    })();
    while (!signal?.aborted) {
      if (!waiting) {
        if (ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const frame = waiting;
      waiting = undefined;
      const skipped = dropped;
      dropped = 0;
      const faces = await this.analyze(frame.image, signal ? { signal } : {});
      const smoothed = tracker.update(faces, frame.timeMs);
      yield {
        timeMs: frame.timeMs,
        faces: faces.map((face, i) => ({ ...(smoothed[i] as Smoothed), face })),
        dropped: skipped,
      };
    }
    if (ended) await reading;
    if (failure !== undefined) throw failure;
  }

  close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.starting]).then(() => this.native.close());
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Reads the input, then runs the addon call on the engine's threads under a token that the
   * signal and the timeout stop; either rejects the call at once, without waiting for the thread.
   */
  private async call<T>(
    input: ImageSource,
    { signal, timeout }: CallOptions,
    run: (image: NativeImage, token: CallToken) => Promise<T>,
  ): Promise<T> {
    if (this.closing) throw new EngineClosedError();
    if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason });
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
      throw new RangeError(`timeout must be a number of milliseconds ≥ 0, got ${String(timeout)}`);
    }
    const token = new this.CallToken();
    let onAbort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => {
        token.abort();
        reject(new AbortedError(undefined, { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          token.timeOut();
          reject(new TimeoutError(`the call timed out after ${timeout} ms`));
        }, timeout);
      }
    });
    try {
      const reading = resolveImage(input, this.native.maxEncodedBytes);
      this.starting.add(reading);
      const work = (async () => {
        let image: NativeImage;
        try {
          image = await reading;
        } finally {
          this.starting.delete(reading);
        }
        try {
          return await run(image, token);
        } catch (error) {
          throw fromNative(error);
        }
      })();
      // The loser of the race must not surface as an unhandled rejection.
      work.catch(() => {});
      return await Promise.race([work, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      stopped.catch(() => {});
    }
  }
}

function isFrameWrapper(frame: TrackFrame): frame is { image: ImageSource; timeMs?: number } {
  return typeof frame === 'object' && frame !== null && 'image' in frame && !(frame instanceof Uint8Array);
}

/** Loads the models (on a thread of its own) and resolves once the engine is ready. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const nativeOptions: NativeEngineOptions = { ...options, ortSearchFrom: runtimeSearchRoot() };
  try {
    const { NativeEngine, CallToken } = loadAddon();
    return new NodeEngine(await NativeEngine.load(nativeOptions), CallToken);
  } catch (error) {
    throw fromNative(error);
  }
}

/**
 * How many calls an engine runs at once when `threads` is not given: the whole CPUs this
 * process may use, its cgroup's CPU quota (a container's `--cpus`) counted, as the core counts them.
 */
export function defaultThreads(): number {
  return loadAddon().defaultThreads();
}
