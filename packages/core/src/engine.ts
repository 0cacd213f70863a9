/** The engine: loads once, then analyses many images concurrently off the event loop. */
import { fromNative } from './errors.js';
import { toBytes, type ImageInput } from './input.js';
import { loadAddon, type NativeEngine, type NativeEngineOptions } from './native.js';
import { packagedRuntimeLibrary } from './runtime.js';
import type { EngineOptions, Face } from './types.js';

export interface Engine {
  /**
   * Finds every face in an encoded image, best-scoring first; [] when there is none.
   * Rejects with an `EmotionError` subclass (e.g. `InvalidImageError`).
   */
  analyze(input: ImageInput): Promise<Face[]>;
}

class NodeEngine implements Engine {
  constructor(private readonly native: NativeEngine) {}

  async analyze(input: ImageInput): Promise<Face[]> {
    const bytes = toBytes(input);
    try {
      // NativeFace and Face have the same shape; tsc checks that here.
      const faces: Face[] = await this.native.analyze(bytes);
      return faces;
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
