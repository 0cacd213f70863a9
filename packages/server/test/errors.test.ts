import { EmotionError, errorCodes } from '@emotion/core';
import { describe, expect, it } from 'vitest';

import { toHttpFailure } from '../src/errors.js';

describe('the HTTP answer of every engine error code', () => {
  it('covers the core’s list: a 4xx for the request’s fault, a 500 for ours', () => {
    const codes = errorCodes();
    expect(codes.length).toBeGreaterThan(0);
    for (const { code, isInputError } of codes) {
      const failure = toHttpFailure(new EmotionError(code, 'what went wrong\nwhere', { isInputError }));
      expect(failure.code).toBe(code);
      expect(failure.message).not.toContain('where');
      // INVALID_OPTIONS is an input error of the engine, but its options are the server's settings.
      const requestsFault = isInputError && code !== 'INVALID_OPTIONS';
      expect(failure.status < 500, code).toBe(requestsFault);
    }
  });
});
