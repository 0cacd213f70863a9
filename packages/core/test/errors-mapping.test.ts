import { describe, expect, it } from 'vitest';

import { EmotionError, fromNative, ImageTooLargeError, RuntimeNotFoundError } from '../src/errors.js';

/** An error as the addon throws it: the core's message, the core's code as a property. */
function addonError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('fromNative', () => {
  it('maps the code property onto the class and keeps the message', () => {
    const error = fromNative(addonError('RUNTIME_NOT_FOUND', 'ONNX Runtime library not found'));
    expect(error).toBeInstanceOf(RuntimeNotFoundError);
    expect(error.code).toBe('RUNTIME_NOT_FOUND');
    expect(error.isInputError).toBe(false);
    expect(error.message).toBe('ONNX Runtime library not found');
    expect(fromNative(addonError('IMAGE_TOO_LARGE', '1 > 0'))).toBeInstanceOf(ImageTooLargeError);
  });

  it('keeps engine failures as engine failures', () => {
    expect(fromNative(addonError('MODEL_OUTPUT', 'short')).code).toBe('MODEL_OUTPUT');
    for (const uncoded of [new Error('something else'), addonError('GenericFailure', 'napi'), 'a string']) {
      const error = fromNative(uncoded);
      expect(error).toBeInstanceOf(EmotionError);
      expect(error.code).toBe('RUNTIME_ERROR');
      expect(error.isInputError).toBe(false);
    }
  });
});
