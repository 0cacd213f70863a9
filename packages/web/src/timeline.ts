/**
 * Charts of emotion probabilities over time (uPlot, bundled by Vite): a live one per tracked
 * face over the last minute, and a fixed one per face for a recorded session.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { EMOTION_COLOURS } from '@emotion/core/wire';
import { EMOTION_LABELS, type Sample, type SampleFace } from '@emotion/core/tracking';

const CHART_HEIGHT = 150;
/** More faces than this in view get no chart of their own: the page stays readable. */
const MAX_CHARTS = 4;

function makePlot(container: HTMLElement, title: string, xIsTime: boolean): uPlot {
  const width = Math.max(320, container.clientWidth || 640);
  return new uPlot(
    {
      title,
      width,
      height: CHART_HEIGHT,
      scales: { x: { time: xIsTime }, y: { range: [0, 1] } },
      axes: [
        { stroke: '#9aa0a6', grid: { stroke: '#2d3136' }, ...(xIsTime ? {} : { label: 'seconds' }) },
        { stroke: '#9aa0a6', grid: { stroke: '#2d3136' }, values: (_u, ticks) => ticks.map((t) => `${t * 100}%`) },
      ],
      legend: { show: true },
      series: [
        {},
        ...EMOTION_LABELS.map((label) => ({
          label,
          stroke: EMOTION_COLOURS[label],
          width: 2,
          points: { show: false },
        })),
      ],
    },
    [[], ...EMOTION_LABELS.map(() => [])],
    container,
  );
}

/** One face's columns: x, then the seven probabilities in EMOTION_LABELS order. */
function columns(points: { x: number; face: SampleFace }[]): uPlot.AlignedData {
  const xs = points.map((p) => p.x);
  const series = EMOTION_LABELS.map((label) =>
    points.map((p) => p.face.emotions.find((e) => e.label === label)?.probability ?? 0),
  );
  return [xs, ...series];
}

interface LiveChart {
  element: HTMLElement;
  plot: uPlot;
  points: { x: number; face: SampleFace }[];
  lastSeen: number;
}

export class LiveTimeline {
  private readonly charts = new Map<number, LiveChart>();

  constructor(
    private readonly container: HTMLElement,
    private readonly windowMs = 60_000,
  ) {}

  /** The faces of one answer, received at `nowMs` (epoch ms). */
  add(nowMs: number, faces: SampleFace[]): void {
    for (const face of faces) {
      let chart = this.charts.get(face.id);
      if (!chart) {
        if (this.charts.size >= MAX_CHARTS) continue;
        const element = document.createElement('div');
        element.className = 'chart';
        element.dataset.face = String(face.id);
        this.container.append(element);
        chart = {
          element,
          plot: makePlot(element, `Face #${face.id}, last minute`, true),
          points: [],
          lastSeen: nowMs,
        };
        this.charts.set(face.id, chart);
      }
      chart.points.push({ x: nowMs / 1000, face });
      chart.lastSeen = nowMs;
    }
    for (const [id, chart] of this.charts) {
      const from = (nowMs - this.windowMs) / 1000;
      while ((chart.points[0]?.x ?? from) < from) chart.points.shift();
      if (nowMs - chart.lastSeen > this.windowMs) {
        chart.plot.destroy();
        chart.element.remove();
        this.charts.delete(id);
      } else {
        chart.plot.setData(columns(chart.points));
      }
    }
  }

  clear(): void {
    for (const chart of this.charts.values()) {
      chart.plot.destroy();
      chart.element.remove();
    }
    this.charts.clear();
  }
}

/** A recorded session's probabilities, one chart per face, x in seconds from the start. */
export function drawSessionCharts(container: HTMLElement, samples: Sample[]): void {
  container.replaceChildren();
  const byFace = new Map<number, { x: number; face: SampleFace }[]>();
  for (const sample of samples) {
    for (const face of sample.faces) {
      const points = byFace.get(face.id) ?? [];
      points.push({ x: sample.t / 1000, face });
      byFace.set(face.id, points);
    }
  }
  for (const [id, points] of [...byFace].slice(0, MAX_CHARTS)) {
    const element = document.createElement('div');
    element.className = 'chart';
    container.append(element);
    makePlot(element, `Face #${id}`, false).setData(columns(points));
  }
}
