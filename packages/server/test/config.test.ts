import { describe, expect, it } from 'vitest';

import { listenConfig } from '../src/config.js';

describe('listenConfig', () => {
  it('defaults to 127.0.0.1:5000 and honours HOST and PORT', () => {
    expect(listenConfig({})).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(listenConfig({ HOST: '0.0.0.0', PORT: '8080' })).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('rejects a bad PORT', () => {
    expect(() => listenConfig({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => listenConfig({ PORT: '70000' })).toThrow(/PORT/);
  });
});
