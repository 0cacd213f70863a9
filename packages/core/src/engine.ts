/** The engine: loads once, then analyses many images concurrently off the event loop. */
import { fromNative } from './errors.js';
import { toBytes, type ImageInput } from './input.js';
import { loadAddon, type NativeEngine, type NativeEngineOptions } from './native.js';
import { packagedRuntimeLibrary } from './runtime.js';
import type { AnnotateOptions, Annotated, EngineOptions, Face, SeedAnswer } from './types.js';

export interface Engine {
  /**
   * Finds every face in an encoded image, best-scoring first; [] when there is none.
   * Rejects with an `EmotionError` subclass (e.g. `InvalidImageError`).
   */
  analyze(input: ImageInput): Promise<Face[]>;

  /**
   * The seed service's answer: "HAPPY" or "SAD" for the largest face (whichever the
   * classifier finds more likely), "No face detected" when there is none.
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

  async analyze(input: ImageInput): Promise<Face[]> {
    const bytes = toBytes(input);
    try {
      // NativeFace has Face's shape with labels typed as plain strings; the core only
      // ever produces the seven labels of EmotionLabel.
      const faces = (await this.native.analyze(bytes)) as Face[];
      return faces;
    } catch (error) {
      throw fromNative(error);
    }
  }

  async analyzeAnnotated(input: ImageInput, options: AnnotateOptions = {}): Promise<Annotated> {
    const bytes = toBytes(input);
    try {
      const { faces, image } = await this.native.analyzeAnnotated(bytes, options);
      return { faces: faces as Face[], image };
    } catch (error) {
      throw fromNative(error);
    }
  }

  async predictSeed(input: ImageInput): Promise<SeedAnswer> {
    const bytes = toBytes(input);
    try {
      return (await this.native.predictSeed(bytes)) as SeedAnswer;
    } catch (error) {
      throw fromNative(error);
    }
  }
}

/** Loads the models (on a worker thread) and resolves once the engine is ready. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const nativeOptions: NativeEngineOptions = { ...options };
  nativeOptions.ortLibrary ??= packagedRuntimeLibrary();
  try {
    const { NativeEngine } = loadAddon();
    return new NodeEngine(await NativeEngine.load(nativeOptions));
  } catch (error) {
    throw fromNative(error);
  }
}
