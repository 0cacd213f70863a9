/**
 * The "Record a session" controls: a duration, a button, a countdown, then the summary (share
 * of time per emotion, dominant emotion, a timeline) with JSON and CSV downloads made in the
 * browser (blob URLs): nothing is sent anywhere.
 */
import { EMOTION_COLOURS } from '@emotion/core/wire';
import { EMOTION_LABELS, SessionRecorder, type SampleFace } from '@emotion/core/tracking';
import { drawSessionCharts } from './timeline.js';

export interface SessionUi {
  /** The smoothed faces of one camera answer. */
  add(faces: SampleFace[]): void;
  /** The camera started (true) or stopped (false): recording needs it running. */
  setCameraRunning(running: boolean): void;
}

export function createSessionUi(): SessionUi {
  const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  const button = $<HTMLButtonElement>('record');
  const seconds = $<HTMLInputElement>('record-seconds');
  const state = $<HTMLSpanElement>('record-state');
  const summary = $<HTMLElement>('summary');
  const downloads: string[] = [];

  let recorder: SessionRecorder | undefined;
  let started = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const finish = () => {
    if (!recorder) return;
    clearInterval(timer);
    const endMs = Math.min(recorder.durationMs, performance.now() - started);
    showSummary(recorder, endMs);
    recorder = undefined;
    button.textContent = 'Record a session';
    delete button.dataset.recording;
    state.textContent = '';
  };

  const showSummary = (session: SessionRecorder, endMs: number) => {
    const result = session.summary(endMs);
    summary.hidden = false;
    summary.dataset.summary = JSON.stringify(result);
    $('summary-dominant').textContent = result.dominant ? result.dominant.toUpperCase() : 'no face seen';
    $('summary-meta').textContent =
      `${(endMs / 1000).toFixed(1)} s, ${result.samples} answers, ${result.faces.length} face(s), no face ${Math.round(result.noFace * 100)}% of the time`;
    $('summary-shares').replaceChildren(
      ...EMOTION_LABELS.filter((label) => result.shares[label] > 0)
        .sort((a, b) => result.shares[b] - result.shares[a])
        .map((label) => {
          const row = document.createElement('li');
          row.dataset.label = label;
          row.dataset.share = String(result.shares[label]);
          const name = document.createElement('span');
          name.textContent = label;
          const bar = document.createElement('span');
          bar.className = 'share';
          bar.style.width = `${Math.round(result.shares[label] * 100)}%`;
          bar.style.background = EMOTION_COLOURS[label] ?? '#fff';
          const value = document.createElement('span');
          value.textContent = `${Math.round(result.shares[label] * 100)}%`;
          row.append(name, bar, value);
          return row;
        }),
    );
    drawSessionCharts($('summary-timeline'), session.samples);
    for (const url of downloads.splice(0)) URL.revokeObjectURL(url);
    const link = (id: string, text: string, type: string) => {
      const url = URL.createObjectURL(new Blob([text], { type }));
      downloads.push(url);
      const anchor = $<HTMLAnchorElement>(id);
      anchor.href = url;
    };
    link('download-json', session.toJson(endMs), 'application/json');
    link('download-csv', session.toCsv(), 'text/csv');
  };

  button.addEventListener('click', () => {
    if (recorder) return finish();
    const duration = Number(seconds.value);
    if (!(duration >= 1 && duration <= 600)) {
      state.textContent = 'Choose a duration from 1 to 600 seconds.';
      return;
    }
    recorder = new SessionRecorder(duration * 1000);
    started = performance.now();
    summary.hidden = true;
    button.textContent = 'Stop recording';
    button.dataset.recording = 'true';
    const tick = () => {
      const left = duration - (performance.now() - started) / 1000;
      if (left <= 0) finish();
      else state.textContent = `Recording… ${Math.ceil(left)} s left`;
    };
    tick();
    timer = setInterval(tick, 250);
  });

  return {
    add(faces) {
      recorder?.add(performance.now() - started, faces);
    },
    setCameraRunning(running) {
      button.disabled = !running;
      if (!running) finish();
    },
  };
}
