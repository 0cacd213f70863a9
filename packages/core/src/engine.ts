/** The engine: loads once, then analyses many images concurrently off the event loop. */
import { fromNative } from './errors.js';
import { type ImageInput, isRawImage, type RawImage, toBytes, toRawPixels } from './input.js';
import { loadAddon, type NativeEngine, type NativeEngineOptions } from './native.js';
import { runtimeSearchRoot } from './runtime.js';
import type { AnnotateOptions, Annotated, EmotionLabel, EngineOptions, Face, SeedAnswer } from './types.js';

export interface DominantEmotionOptions {
  /** The emotions to choose from, a tie going to the one listed first. Default: all seven. */
  among?: readonly EmotionLabel[];
}

export interface Engine {
  /**
   * Finds every face in an encoded image, or in pixels already decoded, best-scoring first;
   * [] when there is none. Rejects with an `EmotionError` subclass (e.g. `InvalidImageError`).
   */
  analyze(input: ImageInput | RawImage): Promise<Face[]>;

  /**
   * The largest face's most likely emotion (of `options.among`, when given), or null when
   * there is no face. Cheaper than `analyze`: only that face is measured.
   */
  dominantEmotion(input: ImageInput | RawImage, options?: DominantEmotionOptions): Promise<EmotionLabel | null>;

  /**
   * "HAPPY" or "SAD" for the largest face, whichever is more likely, or "No face detected".
   * @deprecated Use `dominantEmotion(input, { among: ['happy', 'sad'] })`; this alias goes in the next version.
   */
  predictSeed(input: ImageInput): Promise<SeedAnswer>;

  /**
   * `analyze`, plus the image with each face's box and emotion label (and with `mesh`, its
   * 468 landmarks) drawn on it by the Rust core, encoded as PNG (default) or JPEG.
   */
  analyzeAnnotated(input: ImageInput, options?: AnnotateOptions): Promise<Annotated>;
}

class NodeEngine implements Engine {
  constructor(private readonly native: NativeEngine) {}

  async analyze(input: ImageInput | RawImage): Promise<Face[]> {
    if (isRawImage(input)) {
      const { data, width, height } = toRawPixels(input);
      return await this.call(() => this.native.analyzePixels(data, width, height));
    }
    const bytes = toBytes(input);
    return await this.call(() => this.native.analyze(bytes));
  }

  async dominantEmotion(
    input: ImageInput | RawImage,
    options: DominantEmotionOptions = {},
  ): Promise<EmotionLabel | null> {
    const among = [...(options.among ?? [])];
    if (isRawImage(input)) {
      const { data, width, height } = toRawPixels(input);
      return await this.call(() => this.native.dominantEmotionPixels(data, width, height, among));
    }
    const bytes = toBytes(input);
    return await this.call(() => this.native.dominantEmotion(bytes, among));
  }

  async analyzeAnnotated(input: ImageInput, options: AnnotateOptions = {}): Promise<Annotated> {
    const bytes = toBytes(input);
    const { faces, image } = await this.call(() => this.native.analyzeAnnotated(bytes, options));
    return { faces, image };
  }

  /** Runs an addon call, its rejections turned into `EmotionError` classes. */
  private async call<T>(native: () => Promise<T>): Promise<T> {
    try {
      return await native();
    } catch (error) {
      throw fromNative(error);
    }
  }

  async predictSeed(input: ImageInput): Promise<SeedAnswer> {
    const emotion = await this.dominantEmotion(input, { among: ['happy', 'sad'] });
    return emotion === 'happy' ? 'HAPPY' : emotion === 'sad' ? 'SAD' : 'No face detected';
  }
}

/** Loads the models (on a worker thread) and resolves once the engine is ready. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const nativeOptions: NativeEngineOptions = { ...options, ortSearchFrom: runtimeSearchRoot() };
  try {
    const { NativeEngine } = loadAddon();
    return new NodeEngine(await NativeEngine.load(nativeOptions));
  } catch (error) {
    throw fromNative(error);
  }
}
