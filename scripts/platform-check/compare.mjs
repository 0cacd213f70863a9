// compare.mjs A.json B.json: the same faces in every image, boxes within a pixel, every
// probability within 1e-3; prints the largest differences and exits 1 on any mismatch.
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()));
let boxDiff = 0;
let probDiff = 0;
const problems = [];
for (const [image, facesA] of Object.entries(a.answers)) {
  const facesB = b.answers[image] ?? [];
  if (facesA.length !== facesB.length) problems.push(`${image}: ${facesA.length} vs ${facesB.length} faces`);
  facesA.forEach((face, i) => {
    const other = facesB[i];
    if (!other) return;
    for (const key of ['x', 'y', 'width', 'height'])
      boxDiff = Math.max(boxDiff, Math.abs(face.box[key] - other.box[key]));
    for (const [label, p] of Object.entries(face.emotions))
      probDiff = Math.max(probDiff, Math.abs(p - other.emotions[label]));
  });
}
const images = Object.keys(a.answers).length;
const faces = Object.values(a.answers).reduce((n, f) => n + f.length, 0);
console.log(
  `${a.arch}/glibc ${a.glibc} vs ${b.arch}/glibc ${b.glibc}: ${images} images, ${faces} faces; ` +
    `largest box difference ${boxDiff.toFixed(4)} px, largest probability difference ${probDiff.toExponential(2)}`,
);
if (boxDiff > 1) problems.push(`boxes differ by ${boxDiff} px`);
if (probDiff > 1e-3) problems.push(`probabilities differ by ${probDiff}`);
for (const problem of problems) console.error(`MISMATCH ${problem}`);
process.exit(problems.length > 0 ? 1 : 0);
