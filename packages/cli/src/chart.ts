/**
 * A PNG chart of each face's emotions over a video: one panel per track, a line per emotion
 * (its smoothed probability) in the web page's colours. Vega-Lite lays it out as SVG; resvg
 * (Rust, via napi) rasterises it with the system's fonts.
 */
import { Resvg } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { EMOTION_COLOURS, EMOTION_LABELS } from '@emotion/core/wire';

/**
 * The wire contract's colours, in EMOTION_LABELS' order; neutral's light grey (made for the page's
 * dark background) would vanish on the chart's white, so it is drawn darker here.
 */
const COLOURS = EMOTION_LABELS.map((label) => (label === 'neutral' ? '#98a4aa' : EMOTION_COLOURS[label]));

export interface ChartSample {
  /** Seconds into the video. */
  time: number;
  track: number;
  /** Smoothed probabilities by label. */
  probabilities: Record<string, number>;
}

/** Points per track drawn at most: longer videos are averaged into this many time buckets. */
const MAX_POINTS = 600;

/** `from`, `to`: the seconds of video analysed, the time axis. */
export async function renderChart(samples: ChartSample[], title: string, from: number, to: number): Promise<Buffer> {
  const values = chartValues(samples, to - from);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start' },
    background: 'white',
    padding: 12,
    data: { values },
    facet: { row: { field: 'face', type: 'nominal', title: null, header: { labelAngle: 0, labelFontSize: 13 } } },
    spec: {
      width: 760,
      height: 150,
      mark: { type: 'line', strokeWidth: 1.6, invalid: 'break-paths-show-domains' },
      encoding: {
        x: {
          field: 'time',
          type: 'quantitative',
          title: 'time in the video (s)',
          scale: { domain: [from, Math.max(to, from + 0.001)], nice: false },
        },
        y: {
          field: 'probability',
          type: 'quantitative',
          title: 'smoothed probability',
          scale: { domain: [0, 1] },
          axis: { format: '%', tickCount: 5 },
        },
        color: {
          field: 'emotion',
          type: 'nominal',
          title: 'emotion',
          scale: { domain: [...EMOTION_LABELS], range: COLOURS },
        },
      },
    },
    resolve: { scale: { x: 'shared' } },
    config: { font: 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif', view: { stroke: '#ccc' } },
  };
  const view = new View(parseVega(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 1.5 },
    font: { loadSystemFonts: true },
  })
    .render()
    .asPng();
  return Buffer.from(png);
}

interface Value {
  face: string;
  time: number;
  emotion: string;
  probability: number | null;
}

/** Long-form rows, averaged into time buckets, with a null row where a face was out of view (a break in its lines). */
function chartValues(samples: ChartSample[], durationSeconds: number): Value[] {
  const bucket = Math.max(durationSeconds / MAX_POINTS, 0);
  const byTrack = new Map<number, ChartSample[]>();
  for (const sample of samples) {
    const list = byTrack.get(sample.track) ?? [];
    list.push(sample);
    byTrack.set(sample.track, list);
  }
  const values: Value[] = [];
  for (const [track, points] of [...byTrack].sort(([a], [b]) => a - b)) {
    const face = `face ${track}`;
    const buckets = new Map<number, ChartSample[]>();
    for (const point of points) {
      const key = bucket > 0 ? Math.floor(point.time / bucket) : point.time;
      const list = buckets.get(key) ?? [];
      list.push(point);
      buckets.set(key, list);
    }
    let previous: number | undefined;
    // A gap of more than two buckets (or a second, for short clips) means the face left the view.
    const gap = Math.max(bucket * 2.5, 1);
    for (const group of buckets.values()) {
      const time = group.reduce((sum, point) => sum + point.time, 0) / group.length;
      for (const emotion of EMOTION_LABELS) {
        if (previous !== undefined && time - previous > gap)
          values.push({ face, time: (time + previous) / 2, emotion, probability: null });
        const mean = group.reduce((sum, point) => sum + (point.probabilities[emotion] ?? 0), 0) / group.length;
        values.push({ face, time, emotion, probability: mean });
      }
      previous = time;
    }
  }
  return values;
}
