import { describe, expect, it } from 'vitest';

import { errorCodes } from '../src/error-codes.js';
import { ERROR_CLASSES } from '../src/errors.js';

// The Rust core's ErrorCode is the one list of codes; the addon reports it.
describe('error codes', () => {
  it('the TypeScript classes cover exactly the core’s codes, input errors alike', () => {
    const codes = errorCodes();
    expect(Object.keys(ERROR_CLASSES).sort()).toEqual(codes.map((c) => c.code).sort());
    for (const { code, isInputError } of codes) {
      const error = new ERROR_CLASSES[code]('message');
      expect(error.code).toBe(code);
      expect(error.isInputError).toBe(isInputError);
    }
  });
});
