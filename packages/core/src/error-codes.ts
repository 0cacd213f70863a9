/** The engine's list of error codes, read from the addon (errors.ts holds the classes, with no addon to load). */
import type { ErrorCode } from './errors.js';
import { loadAddon } from './native.js';

/**
 * Every code an engine error can carry, as the Rust core lists them (`ErrorCode::ALL`), and
 * whether the input is at fault: what a server's mapping to HTTP statuses must cover.
 */
export function errorCodes(): { code: ErrorCode; isInputError: boolean }[] {
  // The codes are checked against ErrorCode by test/error-codes.test.ts.
  return loadAddon().errorCodes() as { code: ErrorCode; isInputError: boolean }[];
}
