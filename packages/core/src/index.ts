export {
  type CallOptions,
  createEngine,
  defaultThreads,
  type DominantEmotionOptions,
  type Engine,
  type TrackedFace,
  type TrackedFrame,
  type TrackFrame,
  type TrackOptions,
} from './engine.js';
export { errorCodes } from './error-codes.js';
export {
  AbortedError,
  EmotionError,
  EngineBusyError,
  EngineClosedError,
  EmptyInputError,
  ImageTooLargeError,
  InvalidBase64Error,
  InvalidImageError,
  InvalidOptionsError,
  RuntimeNotFoundError,
  TimeoutError,
  UnsupportedFormatError,
  UnsupportedPlatformError,
  type ErrorCode,
} from './errors.js';
export type { ImageFile, ImageInput, ImageSource, RawImage } from './input.js';
export * from './video.js';
export { NATIVE_PATH_VARIABLE, SUPPORTED_PLATFORMS } from './native.js';
export * from './tracking/index.js';
export { SMALL_FACE_DETECTORS, type SmallFaceDetector } from './types.js';
export type {
  AnnotateOptions,
  Annotated,
  AnnotationMark,
  Box,
  EmotionLabel,
  EmotionScore,
  EngineOptions,
  Face,
  Point,
  SeedAnswer,
} from './types.js';
export * from './wire.js';
