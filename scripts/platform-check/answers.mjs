// Prints, as JSON, the faces @emotion/core finds in each image given: boxes and the seven
// probabilities, the answers two platforms' builds must agree on (compare.mjs).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

import { createEngine } from '@emotion/core';
const engine = await createEngine();
const answers = {};
for (const image of process.argv.slice(2)) {
  const faces = await engine.analyze(readFileSync(image));
  answers[basename(image)] = faces.map((face) => ({
    box: face.box,
    emotions: Object.fromEntries(face.emotions.map((e) => [e.label, e.probability])),
  }));
}
console.log(
  JSON.stringify({ arch: process.arch, glibc: process.report.getReport().header.glibcVersionRuntime, answers }),
);
