export { createEngine, type DominantEmotionOptions, type Engine } from './engine.js';
export { SMALL_FACE_DETECTORS, type SmallFaceDetector } from './types.js';
export type { ImageInput, RawImage } from './input.js';
export type {
  AnnotateOptions,
  Annotated,
  Box,
  EmotionLabel,
  EmotionScore,
  EngineOptions,
  Face,
  Point,
  SeedAnswer,
} from './types.js';
export {
  EmotionError,
  errorCodes,
  EmptyInputError,
  ImageTooLargeError,
  InvalidBase64Error,
  InvalidImageError,
  InvalidOptionsError,
  RuntimeNotFoundError,
  UnsupportedFormatError,
  UnsupportedPlatformError,
  type ErrorCode,
} from './errors.js';
export { NATIVE_PATH_VARIABLE, SUPPORTED_PLATFORMS } from './native.js';
