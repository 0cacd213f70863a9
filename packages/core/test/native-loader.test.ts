/**
 * What a user on a machine without a usable build sees: an UnsupportedPlatformError (code
 * RUNTIME_NOT_FOUND) naming the platform and what to do, never a raw MODULE_NOT_FOUND; and a
 * wrong ONNX Runtime path that fails instead of the packaged library loading quietly.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const real = { platform: process.platform, arch: process.arch, getReport: process.report.getReport };

/** Loads the package's modules afresh as if on `platform`/`arch`, musl when `glibc` is false. */
async function loadAs(platform: string, arch: string, glibc = true): Promise<typeof import('../src/index.js')> {
  vi.resetModules();
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
  Object.defineProperty(process, 'arch', { value: arch, configurable: true });
  if (!glibc) process.report.getReport = () => ({ header: {} }) as ReturnType<typeof real.getReport>;
  return await import('../src/index.js');
}

afterEach(() => {
  Object.defineProperty(process, 'platform', { value: real.platform, configurable: true });
  Object.defineProperty(process, 'arch', { value: real.arch, configurable: true });
  process.report.getReport = real.getReport;
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the native loader', () => {
  it('refuses macOS on Intel with the platform, the supported list and what to do', async () => {
    const core = await loadAs('darwin', 'x64');
    const error = (() => {
      try {
        core.errorCodes();
      } catch (e) {
        return e as InstanceType<typeof core.UnsupportedPlatformError>;
      }
    })();
    expect(error).toBeInstanceOf(core.UnsupportedPlatformError);
    expect(error).toBeInstanceOf(core.EmotionError);
    expect(error?.code).toBe('RUNTIME_NOT_FOUND');
    expect(error?.platform).toBe('darwin-x64');
    expect(error?.message).toMatch(/no native build for darwin-x64\. Supported: linux-x64-gnu, linux-arm64-gnu/);
    expect(error?.message).toMatch(/container image/);
  });

  it('refuses musl (Alpine) by name', async () => {
    const core = await loadAs('linux', 'x64', false);
    await expect(core.createEngine()).rejects.toMatchObject({
      code: 'RUNTIME_NOT_FOUND',
      platform: 'linux-x64-musl',
      message: expect.stringMatching(/musl \(Alpine\)/),
    });
  });

  it('names the missing platform package on a supported platform without one', async () => {
    const core = await loadAs('win32', 'arm64');
    expect(() => core.errorCodes()).toThrow(/in the package @emotion\/core-win32-arm64-msvc, which is not installed/);
  });

  it('fails loudly on a wrong EMOTION_NATIVE_PATH, naming it', async () => {
    vi.stubEnv('EMOTION_NATIVE_PATH', '/no/such/emotion.node');
    const core = await loadAs(real.platform, real.arch);
    expect(() => core.errorCodes()).toThrow(/EMOTION_NATIVE_PATH=\/no\/such\/emotion\.node/);
  });
});

describe('the ONNX Runtime path', () => {
  it('a wrong ortLibrary fails with RuntimeNotFoundError naming it', async () => {
    const core = await loadAs(real.platform, real.arch);
    const attempt = core.createEngine({ ortLibrary: '/no/such/libonnxruntime.so.1' });
    await expect(attempt).rejects.toBeInstanceOf(core.RuntimeNotFoundError);
    await expect(attempt).rejects.toThrow(/\/no\/such\/libonnxruntime\.so\.1/);
  });

  it('a wrong ORT_DYLIB_PATH fails the same way', async () => {
    vi.stubEnv('ORT_DYLIB_PATH', '/no/such/dir/libonnxruntime.so.1');
    const core = await loadAs(real.platform, real.arch);
    await expect(core.createEngine()).rejects.toMatchObject({
      code: 'RUNTIME_NOT_FOUND',
      message: expect.stringContaining('/no/such/dir/libonnxruntime.so.1'),
    });
  });
});
