/** Command-line arguments (files, folders, globs) → the image files to analyse, in order. */
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';

import { glob, isDynamicPattern } from 'tinyglobby';

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'bmp', 'gif'];
const IMAGE_PATTERN = `**/*.{${IMAGE_EXTENSIONS.join(',')}}`;

export interface ImageFile {
  /** The path as the user will read it in the output. */
  path: string;
  /** Where --annotate writes it, relative to that folder: unique within one run. */
  outputName: string;
}

/**
 * A folder contributes its images (recursively, sorted), a glob its matches, a file itself.
 * A name that is none of these is kept, so its failure (ENOENT) is reported like any other.
 */
export async function expandInputs(args: string[]): Promise<ImageFile[]> {
  const seen = new Set<string>();
  const files: ImageFile[] = [];
  const add = (path: string, outputName: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    files.push({ path, outputName });
  };
  for (const arg of args) {
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) {
      const found = await glob(IMAGE_PATTERN, { cwd: arg, caseSensitiveMatch: false, onlyFiles: true });
      for (const name of found.sort()) add(join(arg, name), name);
    } else if (!info && isDynamicPattern(arg)) {
      // Matches are named as the pattern was: absolute for an absolute pattern.
      const found = await glob(arg, { caseSensitiveMatch: false, onlyFiles: true, absolute: isAbsolute(arg) });
      for (const path of found.sort()) add(path, relative('.', path).startsWith('..') ? basename(path) : path);
    } else {
      add(arg, basename(arg));
    }
  }
  return dedupeOutputNames(files);
}

/** Two inputs with one name (a/x.jpg, b/x.jpg given as files) get x.jpg and x-2.jpg. */
function dedupeOutputNames(files: ImageFile[]): ImageFile[] {
  const used = new Map<string, number>();
  return files.map((file) => {
    const count = (used.get(file.outputName) ?? 0) + 1;
    used.set(file.outputName, count);
    if (count === 1) return file;
    const dot = file.outputName.lastIndexOf('.');
    const stem = dot > 0 ? file.outputName.slice(0, dot) : file.outputName;
    return { ...file, outputName: `${stem}-${count}${dot > 0 ? file.outputName.slice(dot) : ''}` };
  });
}
