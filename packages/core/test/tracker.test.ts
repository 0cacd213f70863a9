/** The stream's tracker and smoother, on their own: ids, matching, and the moving average. */
import { describe, expect, it } from 'vitest';

import { emaWeight, FaceTracker, iou, type Detection } from '../src/tracking/tracker.js';

const LABELS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];

/** A detection whose `top` emotion has probability `p`, the rest sharing 1 − p. */
function face(x: number, y: number, top: string, p = 0.9, size = 100): Detection {
  const rest = (1 - p) / (LABELS.length - 1);
  return {
    box: { x, y, width: size, height: size },
    emotions: LABELS.map((label) => ({ label, probability: label === top ? p : rest })),
  };
}

describe('FaceTracker', () => {
  it('keeps each face its id while it moves, whatever the order of detections', () => {
    const tracker = new FaceTracker({ timeConstantMs: 500 });
    const first = tracker.update([face(0, 0, 'happy'), face(300, 0, 'sad')], 0);
    expect(first.map((t) => t.id)).toEqual([1, 2]);
    // Both moved a little, and the detector listed them the other way round.
    const second = tracker.update([face(310, 5, 'sad'), face(8, 4, 'happy')], 100);
    expect(second.map((t) => t.id)).toEqual([2, 1]);
    const third = tracker.update([face(16, 8, 'happy'), face(320, 10, 'sad')], 200);
    expect(third.map((t) => t.id)).toEqual([1, 2]);
  });

  it('gives a new id to a face that appears elsewhere, and forgets a face gone too long', () => {
    const tracker = new FaceTracker({ timeConstantMs: 500, forgetAfterMs: 1000 });
    tracker.update([face(0, 0, 'happy')], 0);
    expect(tracker.update([face(0, 0, 'happy'), face(500, 0, 'sad')], 100).map((t) => t.id)).toEqual([1, 2]);
    // Face 1 leaves for 2 s while face 2 stays, then comes back in the same place: a new track.
    for (let t = 600; t <= 1600; t += 500) tracker.update([face(500, 0, 'sad')], t);
    expect(tracker.update([face(500, 0, 'sad'), face(0, 0, 'happy')], 2200).map((t) => t.id)).toEqual([2, 3]);
  });

  it('keeps ids when frames come slowly (a busy server), as long as the face is in every frame', () => {
    const tracker = new FaceTracker({ timeConstantMs: 500, forgetAfterMs: 1000 });
    const ids = [0, 1500, 3000, 4500].map((t) => tracker.update([face(t / 300, 0, 'happy')], t)[0]!.id);
    expect(ids).toEqual([1, 1, 1, 1]);
  });

  it('damps a one-frame flip: a single sad frame among happy ones leaves the answer happy', () => {
    const tracker = new FaceTracker({ timeConstantMs: 500 });
    for (let t = 0; t <= 1000; t += 100) tracker.update([face(0, 0, 'happy')], t);
    const [flip] = tracker.update([face(0, 0, 'sad', 0.95)], 1100);
    expect(flip!.emotion).toBe('happy');
    const sad = flip!.emotions.find((e) => e.label === 'sad')!.probability;
    expect(sad).toBeLessThan(0.3);
    expect(flip!.emotions.reduce((sum, e) => sum + e.probability, 0)).toBeCloseTo(1, 6);
    const [back] = tracker.update([face(0, 0, 'happy')], 1200);
    expect(back!.emotion).toBe('happy');
  });

  it('follows a lasting change within a few time constants', () => {
    const tracker = new FaceTracker({ timeConstantMs: 300 });
    for (let t = 0; t <= 1000; t += 100) tracker.update([face(0, 0, 'happy')], t);
    let answer = '';
    for (let t = 1100; t <= 2000; t += 100) answer = tracker.update([face(0, 0, 'sad')], t)[0]!.emotion;
    expect(answer).toBe('sad');
  });

  it('passes raw values through with a time constant of 0', () => {
    const tracker = new FaceTracker({ timeConstantMs: 0 });
    tracker.update([face(0, 0, 'happy')], 0);
    const [flip] = tracker.update([face(0, 0, 'sad', 0.8)], 10);
    expect(flip!.emotion).toBe('sad');
    expect(flip!.emotions[0]!.probability).toBeCloseTo(0.8, 6);
  });
});

describe('emaWeight and iou', () => {
  it('weighs a sample by the time it covers', () => {
    expect(emaWeight(500, 500)).toBeCloseTo(1 - Math.exp(-1), 9);
    expect(emaWeight(0, 500)).toBe(0);
    // Two 50 ms steps move the average as far as one 100 ms step.
    const w50 = emaWeight(50, 400);
    expect(1 - (1 - w50) * (1 - w50)).toBeCloseTo(emaWeight(100, 400), 9);
  });

  it('is 1 for the same box, 0 for disjoint ones, 1/3 for a half shift', () => {
    const box = { x: 0, y: 0, width: 10, height: 10 };
    expect(iou(box, box)).toBe(1);
    expect(iou(box, { ...box, x: 20 })).toBe(0);
    expect(iou(box, { ...box, x: 5 })).toBeCloseTo(1 / 3, 9);
  });
});
