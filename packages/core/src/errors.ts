/**
 * Typed errors. Every error the engine raises is an `EmotionError` with a stable `code`;
 * input problems have their own subclasses so callers (e.g. an HTTP server) can tell a bad
 * request from a broken engine with `instanceof` or `error.isInputError`.
 */

/**
 * Stable codes: the Rust core's `ErrorCode` is the one list; test/error-codes.test.ts checks
 * this union and the classes below against the addon's `errorCodes()`.
 */
export type ErrorCode =
  | 'EMPTY_INPUT'
  | 'UNSUPPORTED_FORMAT'
  | 'INVALID_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'INVALID_BASE64'
  | 'INVALID_OPTIONS'
  | 'RUNTIME_NOT_FOUND'
  | 'RUNTIME_ERROR'
  | 'MODEL_OUTPUT'
  | 'BUSY'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'ENGINE_CLOSED';

export class EmotionError extends Error {
  readonly code: ErrorCode;
  /** True when the caller's input is at fault rather than the engine. */
  readonly isInputError: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; isInputError?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.isInputError = options?.isInputError ?? false;
  }
}

/** The input has no bytes. */
export class EmptyInputError extends EmotionError {
  constructor(message = 'the input is empty', options?: { cause?: unknown }) {
    super('EMPTY_INPUT', message, { ...options, isInputError: true });
  }
}

/** The bytes are no PNG, JPEG, WebP, BMP or GIF. */
export class UnsupportedFormatError extends EmotionError {
  constructor(message = 'unsupported image format', options?: { cause?: unknown }) {
    super('UNSUPPORTED_FORMAT', message, { ...options, isInputError: true });
  }
}

/** The format was recognised but the image is corrupt or truncated. */
export class InvalidImageError extends EmotionError {
  constructor(message = 'invalid image', options?: { cause?: unknown }) {
    super('INVALID_IMAGE', message, { ...options, isInputError: true });
  }
}

/** The encoded bytes or the declared dimensions exceed the engine's limits. */
export class ImageTooLargeError extends EmotionError {
  constructor(message = 'image too large', options?: { cause?: unknown }) {
    super('IMAGE_TOO_LARGE', message, { ...options, isInputError: true });
  }
}

/** A string input is neither a base64 data URL nor bare base64. */
export class InvalidBase64Error extends EmotionError {
  constructor(message = 'invalid base64 data', options?: { cause?: unknown }) {
    super('INVALID_BASE64', message, { ...options, isInputError: true });
  }
}

/** An engine option is out of range or of the wrong type. */
export class InvalidOptionsError extends EmotionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_OPTIONS', message, { ...options, isInputError: true });
  }
}

/** The ONNX Runtime shared library could not be found. */
export class RuntimeNotFoundError extends EmotionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RUNTIME_NOT_FOUND', message, options);
  }
}

/**
 * No native build could be found or loaded for this machine (src/native.ts): the message names
 * the platform seen, what is supported and what to do.
 */
export class UnsupportedPlatformError extends RuntimeNotFoundError {
  /** The platform as napi-rs names it: linux-x64-musl, darwin-x64… */
  readonly platform: string;
  readonly supported: readonly string[];

  constructor(platform: string, supported: readonly string[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.platform = platform;
    this.supported = supported;
  }
}

/** `maxQueue` calls already wait for a thread: refused at once, try again later. */
export class EngineBusyError extends EmotionError {
  constructor(message = 'the engine is busy', options?: { cause?: unknown }) {
    super('BUSY', message, options);
  }
}

/** The call's `signal` was aborted before it finished; `cause` is the signal's reason. */
export class AbortedError extends EmotionError {
  constructor(message = 'the call was aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** The call's `timeout` ran out before it finished. */
export class TimeoutError extends EmotionError {
  constructor(message = 'the call timed out', options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/** The engine was closed (`close()`, `await using`): it takes no more calls. */
export class EngineClosedError extends EmotionError {
  constructor(message = 'the engine is closed', options?: { cause?: unknown }) {
    super('ENGINE_CLOSED', message, options);
  }
}

type ErrorClass = new (message: string, options?: { cause?: unknown }) => EmotionError;

/** The engine's own faults have no class of their own: an `EmotionError` with the code. */
const engineFault = (code: ErrorCode): ErrorClass =>
  class extends EmotionError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
      this.name = 'EmotionError';
    }
  };

/** The class of every code; a `Record`, so a code added to `ErrorCode` needs its class here. */
export const ERROR_CLASSES: Readonly<Record<ErrorCode, ErrorClass>> = {
  EMPTY_INPUT: EmptyInputError,
  UNSUPPORTED_FORMAT: UnsupportedFormatError,
  INVALID_IMAGE: InvalidImageError,
  IMAGE_TOO_LARGE: ImageTooLargeError,
  INVALID_BASE64: InvalidBase64Error,
  INVALID_OPTIONS: InvalidOptionsError,
  RUNTIME_NOT_FOUND: RuntimeNotFoundError,
  RUNTIME_ERROR: engineFault('RUNTIME_ERROR'),
  MODEL_OUTPUT: engineFault('MODEL_OUTPUT'),
  BUSY: EngineBusyError,
  ABORTED: AbortedError,
  TIMEOUT: TimeoutError,
  ENGINE_CLOSED: EngineClosedError,
};

/** Turns an error from the native addon (an `Error` whose `code` is the core's) into its class. */
export function fromNative(error: unknown): EmotionError {
  if (error instanceof EmotionError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && Object.hasOwn(ERROR_CLASSES, code)) {
    return new ERROR_CLASSES[code as ErrorCode](message, { cause: error });
  }
  // Anything uncoded is a fault in the engine or the binding, never in the input.
  return new EmotionError('RUNTIME_ERROR', message, { cause: error });
}
