import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';

import { inferenceThreads, libuvPoolSize, listenConfig, maxQueue } from '../src/config.js';

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

describe('INFERENCE_THREADS and MAX_QUEUE', () => {
  it('INFERENCE_THREADS defaults to the CPUs this process may use', () => {
    expect(inferenceThreads({})).toBe(availableParallelism());
    expect(inferenceThreads({ INFERENCE_THREADS: '3' })).toBe(3);
  });

  it.each(['0', '-1', '1.5', 'all', '1025'])('rejects INFERENCE_THREADS=%s', (value) => {
    expect(() => inferenceThreads({ INFERENCE_THREADS: value })).toThrow(/INFERENCE_THREADS must be a whole number/);
  });

  it('MAX_QUEUE defaults to 4 per inference thread', () => {
    expect(maxQueue(2, {})).toBe(8);
    expect(maxQueue(2, { MAX_QUEUE: '3' })).toBe(3);
  });

  it.each(['0', '-4', '2.5', 'many'])('rejects MAX_QUEUE=%s', (value) => {
    expect(() => maxQueue(2, { MAX_QUEUE: value })).toThrow(/MAX_QUEUE must be a whole number/);
  });

  it('reads UV_THREADPOOL_SIZE as libuv does: 4 when unset, clamped to 1..1024', () => {
    expect(libuvPoolSize({})).toBe(4);
    expect(libuvPoolSize({ UV_THREADPOOL_SIZE: '2' })).toBe(2);
    expect(libuvPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(libuvPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });
});
