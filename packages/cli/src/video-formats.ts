/**
 * The outputs of `emotion analyze clip.mp4`: ndjson and csv stream a line (or rows) per analysed
 * frame; table and json give each clip's summary once it is done.
 */
import type { VideoFrame, VideoSummary } from '@emotion/core';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

import { boxColumns, byLabel, round } from './columns.js';
import type { Format, Write } from './formats.js';
import { EMOTION_LABELS, labelText } from '@emotion/core/wire';

export interface VideoReporter {
  frame(file: string, frame: VideoFrame): void;
  clip(file: string, summary: VideoSummary): void;
  end(): void;
}

export function createVideoReporter(format: Format, write: Write, colour = false): VideoReporter {
  switch (format) {
    case 'ndjson':
      return { frame: (file, frame) => write(`${JSON.stringify(frameRecord(file, frame))}\n`), clip() {}, end() {} };
    case 'csv':
      write(stringify([CSV_HEADER]));
      return { frame: (file, frame) => write(stringify(csvRows(file, frame))), clip() {}, end() {} };
    case 'json': {
      const videos: { file: string; summary: VideoSummary }[] = [];
      return {
        frame() {},
        clip: (file, summary) => videos.push({ file, summary }),
        end: () => write(`${JSON.stringify({ videos }, null, 2)}\n`),
      };
    }
    case 'table':
      return { frame() {}, clip: (file, summary) => write(`${summaryTable(file, summary, colour)}\n`), end() {} };
  }
}

/** One analysed frame: its time and every face with its track, box, smoothed and raw emotions. */
export function frameRecord(file: string, frame: VideoFrame) {
  return {
    file,
    time: round(frame.time, 3),
    faces: frame.faces.map(({ track, box, score, emotion, emotions, raw }) => ({
      track,
      box,
      score,
      emotion,
      emotions,
      raw,
    })),
  };
}

const CSV_HEADER = [
  'file',
  'time',
  'track',
  'x',
  'y',
  'width',
  'height',
  'score',
  'emotion',
  ...EMOTION_LABELS,
  ...EMOTION_LABELS.map((label) => `raw_${label}`),
];

/** One row per face (smoothed probabilities, then this frame's raw ones); a frame with no face gets one row without a track. */
function csvRows(file: string, frame: VideoFrame): unknown[][] {
  const time = round(frame.time, 3);
  if (frame.faces.length === 0) return [[file, time, ...Array<string>(CSV_HEADER.length - 2).fill('')]];
  return frame.faces.map((face) => [
    file,
    time,
    face.track,
    ...boxColumns(face.box, face.score),
    face.emotion,
    ...byLabel(face.emotions),
    ...byLabel(face.raw),
  ]);
}

/** The clip in one line, then a row per track: when it was seen, for how long, its dominant emotion and shares. */
export function summaryTable(file: string, summary: VideoSummary, colour: boolean): string {
  const out = new Table({
    head: ['face', 'seen (s)', 'in view', 'dominant', 'share of time in view'],
    ...(colour ? {} : { style: { head: [], border: [] } }),
  });
  for (const track of summary.tracks) {
    out.push([
      track.track,
      `${track.firstSeen.toFixed(1)}–${track.lastSeen.toFixed(1)}`,
      `${track.seconds.toFixed(1)} s`,
      track.dominant ? labelText(track.dominant) : '',
      topShares(track.shares),
    ]);
  }
  out.push([
    'all',
    '',
    '',
    summary.dominant ? labelText(summary.dominant) : 'no face',
    summary.dominant ? topShares(summary.shares) : '',
  ]);
  const head =
    `${file}: ${summary.seconds.toFixed(1)} s analysed (${summary.frames} frames), ` +
    `${summary.tracks.length} face${summary.tracks.length === 1 ? '' : 's'}, ` +
    `no face ${summary.noFaceSeconds.toFixed(1)} s (${percent(summary.noFaceShare)})`;
  return `${head}\n${out.toString()}`;
}

function topShares(shares: Record<string, number>): string {
  return Object.entries(shares)
    .filter(([, share]) => share >= 0.005)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([label, share]) => `${label} ${percent(share)}`)
    .join(', ');
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
