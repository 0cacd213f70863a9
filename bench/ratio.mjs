/**
 * The speed ratios from one bench/ratio.sh run, printed as the last lines: the floor F (the
 * three models' own runs on the 640×480 frame, from the stage bench's criterion estimates), our
 * /predict against F and against the seed at its best (bench/.results/ratio-http.json), and our
 * analyze against Human's detect in process (bench/.results/ratio-inprocess.json).
 *   node bench/ratio.mjs
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(repo, 'bench/.results');
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));

// Criterion's median of one stage row, in ms.
const criterionMs = (frame, row) =>
  json(join(repo, 'target/criterion', frame, row, 'new/estimates.json')).median.point_estimate / 1e6;
const floorRows = ['detect_floor', 'landmarks_floor', 'classify_floor'];
const floors = floorRows.map((row) => criterionMs('webcam_one_face', row));
const floor = floors.reduce((a, b) => a + b, 0);

const http = json(join(results, 'ratio-http.json')).results;
const row = (server, connections) =>
  http.find((r) => r.server === server && r.connections === connections && r.image.startsWith('webcam'));
const [ours1, ours8, seed1, seed8] = [row('ours', 1), row('ours', 8), row('seed at best', 1), row('seed at best', 8)];
const cores = availableParallelism();
const fullThroughput = (cores * 1000) / floor;

const inprocess = json(join(results, 'ratio-inprocess.json')).frames;

const x = (value) => `${value.toFixed(2)}×`;
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const lines = [
  `machine: ${cpus()[0]?.model ?? '?'}, ${cores} cores; load average now ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ${new Date().toISOString()}`,
  `floor F (webcam 640x480, one thread): ${floorRows.map((r, i) => `${r} ${floors[i].toFixed(2)}`).join(' + ')} = ${floor.toFixed(2)} ms`,
  `/predict c=1 p50: ours ${ours1.latencyMs.p50} ms = ${x(ours1.latencyMs.p50 / floor)} F (target <= 1.5×: ${verdict(ours1.latencyMs.p50 <= 1.5 * floor)}); seed at best ${seed1.latencyMs.p50} ms: ours ${x(seed1.latencyMs.p50 / ours1.latencyMs.p50)} faster (target >= 3×: ${verdict(seed1.latencyMs.p50 >= 3 * ours1.latencyMs.p50)})`,
  `/predict c=8 req/s: ours ${ours8.requestsPerSecond} = ${x(ours8.requestsPerSecond / fullThroughput)} of cores×1000/F = ${fullThroughput.toFixed(0)} (target >= 0.7×: ${verdict(ours8.requestsPerSecond >= 0.7 * fullThroughput)}); seed at best ${seed8.requestsPerSecond}: ours ${x(ours8.requestsPerSecond / seed8.requestsPerSecond)} (target >= 4×: ${verdict(ours8.requestsPerSecond >= 4 * seed8.requestsPerSecond)})`,
  ...inprocess.map((f) => {
    const same = f.human.faces.length === f.ours.faces.length;
    const ratio = f.human.median / f.ours.median;
    return `analyze ${f.frame} (${f.size}): Human ${f.human.median} ms, ours ${f.ours.median} ms = ${x(ratio)} faster (target >= 3×: ${verdict(ratio >= 3)}); faces Human ${f.human.faces.length}, ours ${f.ours.faces.length}${same ? '' : ' (differ)'}; ours without the small-face pass ${f.oursSinglePass.median} ms = ${x(f.human.median / f.oursSinglePass.median)}; ours from the encoded file (decode included) ${f.oursBytes.median} ms = ${x(f.human.median / f.oursBytes.median)}`;
  }),
];
console.log(lines.join('\n'));
