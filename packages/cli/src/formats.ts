/**
 * The output formats of `emotion analyze`. ndjson and csv stream (a line per image or face as
 * each image finishes) and keep nothing, so a run over millions of images holds no result in
 * memory; table and json are one document, written once every image is done.
 */
import { EMOTION_LABELS, labelText } from '@emotion/core/wire';
import { boxColumns, byLabel } from './columns.js';
import { isFailure, type ImageResult } from './results.js';

import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

export type Format = 'table' | 'json' | 'ndjson' | 'csv';

export interface Reporter {
  /** Called as each image finishes, in completion order, with its place among the inputs. */
  result(result: ImageResult, index: number): void;
  /** Called once every image is done. */
  end(): void;
}

export type Write = (text: string) => void;

/** `colour`: ANSI colours in the table (for a terminal, not a pipe or file). */
export function createReporter(format: Format, write: Write, colour = false): Reporter {
  switch (format) {
    case 'ndjson':
      return { result: (result) => write(`${JSON.stringify(result)}\n`), end: () => {} };
    case 'csv':
      write(stringify([CSV_HEADER]));
      return { result: (result) => write(stringify(csvRows(result))), end: () => {} };
    case 'json':
      return documentReporter((results) => write(`${JSON.stringify({ images: results }, null, 2)}\n`));
    case 'table':
      return documentReporter((results) => write(`${table(results, colour)}\n`));
  }
}

/** Keeps every result in input order, for a format written as one document at the end. */
function documentReporter(writeAll: (results: ImageResult[]) => void): Reporter {
  const results: ImageResult[] = [];
  return {
    result: (result, index) => {
      results[index] = result;
    },
    end: () => writeAll(results),
  };
}

const CSV_HEADER = ['file', 'face', 'x', 'y', 'width', 'height', 'score', 'emotion', ...EMOTION_LABELS, 'error'];

/** One row per face; an image without faces gets one row with no face, a failed one its error code. */
function csvRows(result: ImageResult): unknown[][] {
  const empty = Array<string>(CSV_HEADER.length - 2).fill('');
  if (isFailure(result)) return [[result.file, ...empty, result.error.code]];
  if (result.faces.length === 0) return [[result.file, ...empty, '']];
  return result.faces.map((face, index) => {
    return [result.file, index + 1, ...boxColumns(face.box, face.score), face.emotion, ...byLabel(face.emotions), ''];
  });
}

function table(results: ImageResult[], colour: boolean): string {
  const out = new Table({
    head: ['file', 'face', 'emotion', 'top three', 'box (x, y, w × h)'],
    ...(colour ? {} : { style: { head: [], border: [] } }),
  });
  for (const result of results) {
    if (isFailure(result)) {
      out.push([result.file, '', `error ${result.error.code}`, { colSpan: 2, content: result.error.message }]);
    } else if (result.faces.length === 0) {
      out.push([result.file, '', 'no face', '', '']);
    } else {
      result.faces.forEach((face, index) => {
        const top = face.emotions
          .slice(0, 3)
          .map((e) => `${e.label} ${Math.round(e.probability * 100)}%`)
          .join(', ');
        const { x, y, width, height } = face.box;
        const box = `${Math.round(x)}, ${Math.round(y)}, ${Math.round(width)} × ${Math.round(height)}`;
        out.push([result.file, index + 1, labelText(face.emotion), top, box]);
      });
    }
  }
  return out.toString();
}
