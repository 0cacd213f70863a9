import { describe, expect, it } from 'vitest';

import { EmotionError, fromNative, ImageTooLargeError, RuntimeNotFoundError } from '../src/errors.js';

describe('fromNative', () => {
  it('maps the code prefix onto the class and strips it from the message', () => {
    const error = fromNative(new Error('RUNTIME_NOT_FOUND: ONNX Runtime library not found'));
    expect(error).toBeInstanceOf(RuntimeNotFoundError);
    expect(error.code).toBe('RUNTIME_NOT_FOUND');
    expect(error.isInputError).toBe(false);
    expect(error.message).toBe('ONNX Runtime library not found');
    expect(fromNative(new Error('IMAGE_TOO_LARGE: 1 > 0'))).toBeInstanceOf(ImageTooLargeError);
  });

  it('keeps engine failures as engine failures', () => {
    expect(fromNative(new Error('MODEL_OUTPUT: short')).code).toBe('MODEL_OUTPUT');
    const uncoded = fromNative(new Error('something else'));
    expect(uncoded).toBeInstanceOf(EmotionError);
    expect(uncoded.code).toBe('RUNTIME_ERROR');
    expect(uncoded.isInputError).toBe(false);
  });
});
