/**
 * `emotion analyze`: many images through one engine, or through a server (`remote`),
 * `concurrency` at a time; the same results and outputs either way.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';

import { createEngine, type Engine, type SmallFaceDetector } from '@emotion/core';

import { createReporter, type Format } from './formats.js';
import type { ImageFile } from './inputs.js';
import { createProgress } from './progress.js';
import { type RemoteOptions, remoteAnalyzer } from './remote.js';
import { isFailure, toFailure, toRecord, type ImageResult } from './results.js';

export interface AnalyzeOptions {
  format: Format;
  concurrency: number;
  /** Folder to write each image with its faces drawn on. */
  annotate?: string;
  /** Draw the 468 landmarks too. */
  mesh: boolean;
  /** The engine's small-face pass and the smallest face it looks for (undefined: the engine's 48). */
  smallFaces?: SmallFaceDetector;
  minFaceSize?: number;
  /** Send each image to this server instead of analysing it here. */
  remote?: RemoteOptions;
}

export interface AnalyzeSummary {
  images: number;
  failed: number;
  faces: number;
  seconds: number;
}

export async function analyzeFiles(files: ImageFile[], options: AnalyzeOptions): Promise<AnalyzeSummary> {
  const started = performance.now();
  const analyze = options.remote ? remoteAnalyzer(options.remote) : await localAnalyzer(options);
  const reporter = createReporter(options.format, (text) => process.stdout.write(text), process.stdout.isTTY);
  const progress = createProgress(files.length);
  let failed = 0;
  let faces = 0;

  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const file = files[index];
      if (file === undefined) break;
      const result = await analyze(file);
      if (isFailure(result)) failed += 1;
      else faces += result.faces.length;
      reporter.result(result, index);
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, files.length) }, worker));
  progress.stop();
  reporter.end();
  return { images: files.length, failed, faces, seconds: (performance.now() - started) / 1000 };
}

async function localAnalyzer(options: AnalyzeOptions): Promise<(file: ImageFile) => Promise<ImageResult>> {
  // One ONNX Runtime thread per inference: `concurrency` of them already run side by side.
  const engine = await createEngine({
    intraThreads: 1,
    smallFaceDetector: options.smallFaces,
    minFaceSize: options.minFaceSize,
  });
  return (file) => analyzeOne(engine, file, options);
}

async function analyzeOne(engine: Engine, file: ImageFile, options: AnalyzeOptions): Promise<ImageResult> {
  try {
    const bytes = await readFile(file.path);
    if (options.annotate === undefined) {
      return { file: file.path, faces: (await engine.analyze(bytes)).map(toRecord) };
    }
    const jpeg = /^\.jpe?g$/i.test(extname(file.outputName));
    const { faces, image } = await engine.analyzeAnnotated(bytes, {
      mesh: options.mesh,
      format: jpeg ? 'jpeg' : 'png',
    });
    // JPEGs stay JPEGs; every other format is written as PNG.
    const name = jpeg
      ? file.outputName
      : `${file.outputName.slice(0, -extname(file.outputName).length || undefined)}.png`;
    const annotated = join(options.annotate, name);
    await mkdir(dirname(annotated), { recursive: true });
    await writeFile(annotated, image);
    return { file: file.path, faces: faces.map(toRecord), annotated };
  } catch (error) {
    return toFailure(file.path, error);
  }
}
