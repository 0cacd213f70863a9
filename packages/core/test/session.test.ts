import { describe, expect, it } from 'vitest';

import { EMOTION_LABELS, SessionRecorder, type SampleFace } from '../src/tracking/session.js';

function face(id: number, top: string): SampleFace {
  return {
    id,
    emotion: top,
    emotions: EMOTION_LABELS.map((label) => ({ label, probability: label === top ? 0.7 : 0.05 })),
  };
}

describe('SessionRecorder', () => {
  it('shares time by how long each answer stood, and names the dominant emotion', () => {
    const recorder = new SessionRecorder(10_000);
    recorder.add(0, [face(1, 'happy')]);
    recorder.add(3000, [face(1, 'happy')]);
    recorder.add(6000, [face(1, 'sad')]); // sad from 6 s to the end at 10 s
    const summary = recorder.summary();
    expect(summary.shares.happy).toBeCloseTo(0.6, 9);
    expect(summary.shares.sad).toBeCloseTo(0.4, 9);
    expect(summary.dominant).toBe('happy');
    expect(summary.faces).toEqual([1]);
    expect(summary.noFace).toBe(0);
    expect(Object.values(summary.shares).reduce((a, b) => a + b)).toBeCloseTo(1, 9);
  });

  it('counts time without a face apart, and ignores answers outside the recording', () => {
    const recorder = new SessionRecorder(4000);
    recorder.add(-10, [face(1, 'angry')]);
    recorder.add(0, []);
    recorder.add(1000, [face(2, 'surprise'), face(3, 'neutral')]);
    recorder.add(5000, [face(1, 'angry')]);
    const summary = recorder.summary();
    expect(summary.samples).toBe(2);
    expect(summary.noFace).toBeCloseTo(0.25, 9);
    expect(summary.shares.surprise).toBeCloseTo(0.5, 9);
    expect(summary.shares.angry).toBe(0);
    expect(summary.faces).toEqual([2, 3]);
  });

  it('has no dominant emotion when no face was seen', () => {
    const recorder = new SessionRecorder(1000);
    recorder.add(0, []);
    expect(recorder.summary().dominant).toBeNull();
    expect(new SessionRecorder(1000).summary()).toMatchObject({ samples: 0, dominant: null, noFace: 0 });
  });

  it('exports CSV rows per face and answer, and JSON with the summary', () => {
    const recorder = new SessionRecorder(2000, new Date('2026-11-29T12:00:00Z'));
    recorder.add(0, [face(1, 'happy')]);
    recorder.add(500.4, [face(1, 'sad'), face(2, 'fear')]);
    const csv = recorder.toCsv().trim().split('\n');
    expect(csv[0]).toBe('t_ms,face,emotion,angry,disgust,fear,happy,neutral,sad,surprise');
    expect(csv).toHaveLength(4);
    expect(csv[2]).toBe('500,1,sad,0.0500,0.0500,0.0500,0.0500,0.0500,0.7000,0.0500');
    const json = JSON.parse(recorder.toJson(1000)) as { startedAt: string; summary: { durationMs: number } };
    expect(json.startedAt).toBe('2026-11-29T12:00:00.000Z');
    expect(json.summary.durationMs).toBe(1000);
  });

  it('gives each face its own timeline, in the order of the ids', () => {
    const recorder = new SessionRecorder(10_000);
    recorder.add(0, [face(2, 'sad')]);
    recorder.add(1000, [face(1, 'happy'), face(2, 'sad')]);
    recorder.add(2000, [face(1, 'surprise')]);
    expect(recorder.timelines()).toEqual([
      {
        id: 1,
        points: [
          { t: 1000, emotion: 'happy' },
          { t: 2000, emotion: 'surprise' },
        ],
      },
      {
        id: 2,
        points: [
          { t: 0, emotion: 'sad' },
          { t: 1000, emotion: 'sad' },
        ],
      },
    ]);
  });
});
