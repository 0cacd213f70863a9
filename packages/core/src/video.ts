/**
 * `analyzeVideo`: a video file or stream, decoded by ffmpeg (ffmpeg.ts), each frame's pixels
 * analysed by the engine (several frames at once, answers taken in order), its faces followed
 * and smoothed by the product's one tracker, and a summary of the whole clip at the end.
 */
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';

import { type DecodedFrame, type DecodeOptions, decodeVideo } from './ffmpeg.js';
import type { RawImage } from './input.js';
import { faceCaption } from './wire.js';
import { createTracker, EMOTION_LABELS, SessionRecorder, type SessionSummary } from './tracking/index.js';
import type { AnnotateOptions, AnnotationMark, Box, EmotionLabel, EmotionScore, Face } from './types.js';

export { FFMPEG_INSTALL_HINT, probeVideo, VideoError, type VideoErrorCode, type VideoInfo } from './ffmpeg.js';

export interface AnalyzeVideoOptions extends DecodeOptions {
  /** Smoothing time constant, ms (the tracker's); 0 turns smoothing off. Default 500. */
  timeConstantMs?: number;
  /** Frames analysed at once. Default: the CPUs. */
  concurrency?: number;
  /** Stops decoding and analysis: ffmpeg is killed, the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Keep each frame's decoded pixels on it (to draw on them). */
  keepPixels?: boolean;
  /**
   * Have the engine's annotator draw each frame's tracked faces (boxes, track ids and smoothed
   * emotions, with `mesh` the landmarks): the frame then carries the drawn JPEG in `annotated`.
   */
  annotate?: { mesh?: boolean };
}

export interface VideoFace {
  /** Stable while the face stays in view: 1, 2, 3… in order of first appearance. */
  track: number;
  box: Box;
  score: number;
  /** The most likely emotion after smoothing. */
  emotion: EmotionLabel;
  /** Smoothed probabilities, most likely first. */
  emotions: EmotionScore[];
  /** This frame's own probabilities, most likely first. */
  raw: EmotionScore[];
}

export interface VideoFrame {
  /** Analysed frames before this one. */
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  width: number;
  height: number;
  faces: VideoFace[];
  /** The frame's RGB pixels, with `keepPixels`. */
  image?: RawImage;
  /** The frame with its faces drawn on it by the engine, JPEG, with `annotate`. */
  annotated?: Buffer;
}

export interface EmotionShares {
  /** Share (0..1) of the time in view during which each emotion was the smoothed top one. */
  shares: Record<EmotionLabel, number>;
  /** The emotion with the largest share; null when never seen. */
  dominant: EmotionLabel | null;
}

export interface TrackSummary extends EmotionShares {
  track: number;
  /** Seconds into the video when it was first and last seen. */
  firstSeen: number;
  lastSeen: number;
  /** Seconds in view. */
  seconds: number;
}

export interface VideoSummary extends EmotionShares {
  /** Seconds of video analysed, from the first analysed frame to the end of the last. */
  seconds: number;
  frames: number;
  /** Seconds with no face in view, and their share of `seconds`. */
  noFaceSeconds: number;
  noFaceShare: number;
  tracks: TrackSummary[];
}

export interface VideoAnalysis extends AsyncIterable<VideoFrame> {
  /** The summary of the frames analysed so far (the whole clip, once the iteration has ended). */
  summary(): VideoSummary;
}

const LABELS: readonly EmotionLabel[] = EMOTION_LABELS;

/** What a video analysis uses of an engine (createEngine's is one; `engine.analyzeVideo` passes itself). */
export interface VideoEngine {
  analyze(input: RawImage, options?: { signal?: AbortSignal }): Promise<Face[]>;
  annotate(
    input: RawImage,
    marks: readonly AnnotationMark[],
    options?: Pick<AnnotateOptions, 'format'> & { signal?: AbortSignal },
  ): Promise<Buffer>;
}

/**
 * Analyses a video: `source` is a file path or a readable stream of an encoded video (any
 * container and codec the installed ffmpeg reads). Iterate it once; breaking out of the loop,
 * or aborting `signal`, stops ffmpeg, and the iteration settles only once nothing is left running.
 */
export function analyzeVideo(
  engine: VideoEngine,
  source: string | Readable,
  options: AnalyzeVideoOptions = {},
): VideoAnalysis {
  const tracker = createTracker({ timeConstantMs: options.timeConstantMs ?? 500 });
  const timeline = new Timeline(options.fps);
  let started = false;

  async function* frames(): AsyncGenerator<VideoFrame> {
    if (started) throw new Error('analyzeVideo: a video analysis can be iterated only once');
    started = true;
    const { signal } = options;
    signal?.throwIfAborted();
    const decoder = decodeVideo(source, options);
    const stop = () => void decoder.stop();
    signal?.addEventListener('abort', stop, { once: true });
    const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    // Frames in decode order, each with its analysis running; answers are taken in that order.
    const pending: { frame: DecodedFrame; analysed: Promise<Face[]> }[] = [];
    let index = 0;
    const next = async (): Promise<VideoFrame> => {
      const head = pending.shift();
      if (!head) throw new Error('no frame pending');
      const faces = await head.analysed;
      signal?.throwIfAborted();
      const frame = toVideoFrame(index++, head.frame, faces, tracker, options.keepPixels === true);
      // Drawn once tracked, so the labels are the track's id and smoothed emotion.
      if (options.annotate) {
        const marks = markFaces(frame, faces, options.annotate.mesh === true);
        const pixels = { data: head.frame.data, width: head.frame.width, height: head.frame.height };
        frame.annotated = await engine.annotate(pixels, marks, { format: 'jpeg', ...(signal ? { signal } : {}) });
      }
      timeline.add(frame);
      return frame;
    };
    try {
      for await (const frame of decoder.frames) {
        signal?.throwIfAborted();
        const pixels = { data: frame.data, width: frame.width, height: frame.height };
        const call = signal ? { signal } : {};
        const analysed = engine.analyze(pixels, call);
        // Handled here so a rejection waiting its turn is not reported as unhandled.
        analysed.catch(() => {});
        pending.push({ frame, analysed });
        if (pending.length >= concurrency) yield await next();
      }
      while (pending.length > 0) yield await next();
      signal?.throwIfAborted();
    } catch (error) {
      // Whatever an abort broke on the way (a frame cut short), the abort is the reason.
      signal?.throwIfAborted();
      throw error;
    } finally {
      signal?.removeEventListener('abort', stop);
      await decoder.stop();
      // Analyses already running finish before the iteration settles: nothing outlives it.
      await Promise.allSettled(pending.map((entry) => entry.analysed));
    }
  }

  return {
    [Symbol.asyncIterator]: () => frames(),
    summary: () => timeline.summary(),
  };
}

type Tracker = ReturnType<typeof createTracker>;

/** "#2 HAPPY 91%": each tracked face's id and smoothed emotion, in that emotion's colour. */
function markFaces(frame: VideoFrame, faces: Face[], mesh: boolean): AnnotationMark[] {
  return frame.faces.map((face, i) => {
    const landmarks = mesh ? faces[i]?.landmarks : undefined;
    return {
      box: face.box,
      emotion: face.emotion,
      text: faceCaption({ id: face.track, emotion: face.emotion, emotions: face.emotions }),
      ...(landmarks ? { landmarks } : {}),
    };
  });
}

function toVideoFrame(
  index: number,
  frame: DecodedFrame,
  faces: Face[],
  tracker: Tracker,
  keepPixels: boolean,
): VideoFrame {
  const smoothed = tracker.update(
    faces.map((face) => ({ box: face.box, emotions: face.emotions })),
    frame.time * 1000,
  );
  return {
    index,
    time: frame.time,
    width: frame.width,
    height: frame.height,
    faces: faces.map((face, i) => {
      const tracked = smoothed[i];
      return {
        track: tracked?.id ?? 0,
        box: face.box,
        score: face.score,
        emotion: (tracked?.emotion ?? face.emotion) as EmotionLabel,
        emotions: (tracked?.emotions ?? face.emotions) as EmotionScore[],
        raw: face.emotions,
      };
    }),
    ...(keepPixels ? { image: { data: frame.data, width: frame.width, height: frame.height } } : {}),
  };
}

/**
 * The clip's and each track's summary, by the session recorder the page and the stream use:
 * each analysed frame stands for the time until the next one (the last: one frame's spacing,
 * the previous gap or 1/fps). A track's recorder gets an empty sample where it leaves the view,
 * so only its time in view counts as its own.
 */
class Timeline {
  private readonly clip = new SessionRecorder(Number.POSITIVE_INFINITY);
  private readonly tracks = new Map<number, { recorder: SessionRecorder; firstSeen: number; lastSeen: number }>();
  /** The tracks of the previous frame. */
  private inView = new Set<number>();
  private first: number | undefined;
  private last: number | undefined;
  private spacing = 0;
  private frames = 0;

  constructor(private readonly fps?: number) {}

  add(frame: VideoFrame): void {
    const ms = frame.time * 1000;
    if (this.last !== undefined) this.spacing = frame.time - this.last;
    this.first ??= frame.time;
    this.last = frame.time;
    this.frames++;
    // Only the smoothed top emotion counts towards time: the probabilities are not kept.
    const faces = frame.faces.map((face) => ({ id: face.track, emotion: face.emotion, emotions: [] }));
    this.clip.add(ms, faces);
    for (const face of faces) {
      let track = this.tracks.get(face.id);
      if (!track) {
        track = {
          recorder: new SessionRecorder(Number.POSITIVE_INFINITY),
          firstSeen: frame.time,
          lastSeen: frame.time,
        };
        this.tracks.set(face.id, track);
      }
      track.recorder.add(ms, [face]);
      track.lastSeen = frame.time;
    }
    const present = new Set(faces.map((face) => face.id));
    for (const id of this.inView) if (!present.has(id)) this.tracks.get(id)?.recorder.add(ms, []);
    this.inView = present;
  }

  summary(): VideoSummary {
    if (this.first === undefined || this.last === undefined) {
      return { seconds: 0, frames: 0, noFaceSeconds: 0, noFaceShare: 0, ...shares(undefined), tracks: [] };
    }
    const end = this.last + (this.spacing || (this.fps ? 1 / this.fps : 0));
    const seconds = end - this.first;
    const clip = this.clip.summary(end * 1000);
    return {
      seconds: micro(seconds),
      frames: this.frames,
      noFaceSeconds: micro(clip.noFace * seconds),
      noFaceShare: micro(clip.noFace),
      ...shares(clip),
      tracks: [...this.tracks]
        .sort(([a], [b]) => a - b)
        .map(([id, track]) => {
          const summary = track.recorder.summary(end * 1000);
          const covered = end - track.firstSeen;
          return {
            track: id,
            firstSeen: track.firstSeen,
            lastSeen: track.lastSeen,
            seconds: micro(covered * (1 - summary.noFace)),
            ...shares(summary),
          };
        }),
    };
  }
}

function shares(summary: SessionSummary | undefined): EmotionShares {
  const zero = Object.fromEntries(LABELS.map((label) => [label, 0])) as Record<EmotionLabel, number>;
  if (!summary) return { shares: zero, dominant: null };
  const rounded = Object.fromEntries(LABELS.map((label) => [label, micro(summary.shares[label] ?? 0)])) as Record<
    EmotionLabel,
    number
  >;
  return { shares: rounded, dominant: (summary.dominant as EmotionLabel | null) ?? null };
}

/** Sums of frame spacings carry float noise (7.999999999); a microsecond is precise enough. */
const micro = (value: number) => Math.round(value * 1e6) / 1e6;
