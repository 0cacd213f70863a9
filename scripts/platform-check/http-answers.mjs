// http-answers.mjs BASE_URL IMAGE_DIR LABEL: a running server's answers (POST /v1/analyze) for
// each image, in answers.mjs's JSON form for compare.mjs; /predict's on the first two on stderr.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, dir, label] = process.argv.slice(2);
const images = readdirSync(dir).sort();
const answers = {};
for (const name of images) {
  const body = readFileSync(join(dir, name));
  const response = await fetch(`${base}/v1/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body,
  });
  const { faces } = await response.json();
  answers[name] = faces.map((face) => ({
    box: face.box,
    emotions: Object.fromEntries(face.emotions.map((e) => [e.label, e.probability])),
  }));
}
for (const name of images.slice(0, 2)) {
  const image = `data:image/jpeg;base64,${readFileSync(join(dir, name)).toString('base64')}`;
  const response = await fetch(`${base}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image }),
  });
  console.error(`${label} /predict ${name}: ${(await response.text()).trim()}`);
}
console.log(JSON.stringify({ arch: label, glibc: 'image', answers }));
