/**
 * The markdown tables of bench/RESULTS.md from the JSON files bench/run.sh leaves in
 * bench/.results/: HTTP (http.json), in-process (inprocess.json), accuracy (accuracy.json from
 * the Human peer, which also measures ours; accuracy-seed.json from the seed peer).
 *   node bench/report.mjs > bench/.results/summary.md
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const results = join(resolve(dirname(fileURLToPath(import.meta.url))), '.results');
const read = (name) =>
  existsSync(join(results, name)) ? JSON.parse(readFileSync(join(results, name), 'utf8')) : undefined;
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '–');
const lines = [];
const out = (line = '') => lines.push(line);

out(
  `Machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}; load average when reported ${loadavg()[0].toFixed(1)}.`,
);
out();

const http = read('http.json');
if (http) {
  out(
    `### HTTP, POST /predict on loopback (wrk, one thread, ${http.durationSeconds} s per run after a warm-up, fresh server per run; ${http.date.slice(0, 10)})`,
  );
  out();
  out('| image | concurrency | server | answer | req/s | p50 ms | p90 ms | p99 ms | peak RSS MiB |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const r of http.results) {
    const l = r.latencyMs;
    const failed = r.failed;
    out(
      `| ${r.image} | ${r.connections} | ${r.server} | ${r.answer} | ${r.requestsPerSecond.toFixed(1)}${failed ? ` (${failed} failed)` : ''} | ${l.p50} | ${l.p90} | ${l.p99} | ${r.peakRssMiB} |`,
    );
  }
  out();
  out('Ratios, ours against each seed (throughput: ours ÷ theirs; latency: theirs ÷ ours):');
  out();
  out('| image | concurrency | req/s vs as shipped | req/s vs at best | p50 vs as shipped | p50 vs at best |');
  out('|---|---|---|---|---|---|');
  const find = (server, image, c) =>
    http.results.find((r) => r.server === server && r.image === image && r.connections === c);
  for (const r of http.results.filter((x) => x.server === 'ours')) {
    const shipped = find('seed as shipped', r.image, r.connections);
    const best = find('seed at best', r.image, r.connections);
    out(
      `| ${r.image} | ${r.connections} | ${ratio(r.requestsPerSecond, shipped?.requestsPerSecond)} | ${ratio(r.requestsPerSecond, best?.requestsPerSecond)} | ${ratio(shipped?.latencyMs.p50, r.latencyMs.p50)} | ${ratio(best?.latencyMs.p50, r.latencyMs.p50)} |`,
    );
  }
  out();
}

const inprocess = read('inprocess.json');
if (inprocess) {
  out(
    `### In process, one thread: @emotion/core analyze vs Human detect (${inprocess.runs} runs after ${inprocess.warmup} warm-up; ${inprocess.date.slice(0, 10)})`,
  );
  out();
  out(
    `Human ${inprocess.human.version} on tfjs ${inprocess.human.tfjs} ${inprocess.human.backend} (SIMD ${inprocess.human.simd}, threads ${inprocess.human.wasmThreads}). ${inprocess.handicap}.`,
  );
  out();
  out(
    '| frame | Human detect, median / p90 ms | ours analyze, median / p90 ms | ours, small-face pass off | ours from the file (decode included) | Human ÷ ours (median) |',
  );
  out('|---|---|---|---|---|---|');
  for (const f of inprocess.frames) {
    const cell = (c) => `${c.median} / ${c.p90} (${c.faces.length} faces)`;
    out(
      `| ${f.frame} (${f.size}) | ${cell(f.human)} | ${cell(f.ours)} | ${cell(f.oursSinglePass)} | ${f.oursBytes ? cell(f.oursBytes) : '–'} | ${ratio(f.human.median, f.ours.median)} |`,
    );
  }
  out();
}

const accuracy = read('accuracy.json');
const seedAccuracy = read('accuracy-seed.json');
if (accuracy || seedAccuracy) {
  out(
    '### Accuracy on the same 200 test-split images (models/train/happy_sad_sample.tsv: 100 happy, 100 sad, drawn at random)',
  );
  out();
  out('| system | face found | HAPPY-vs-SAD (no face = wrong) | on found faces |');
  out('|---|---|---|---|');
  if (accuracy) {
    out(
      `| ours (dominantEmotion) | ${accuracy.ours.faceFoundPct} % | ${accuracy.ours.accuracyPct} % | ${accuracy.ours.accuracyWhenFacePct} % |`,
    );
  }
  if (seedAccuracy) {
    out(
      `| seed (FaceMesh + RandomForest) | ${(100 * seedAccuracy.face_found_rate).toFixed(1)} % | ${(100 * seedAccuracy.accuracy).toFixed(1)} % | ${(100 * seedAccuracy.accuracy_on_found).toFixed(1)} % |`,
    );
  }
  if (accuracy) {
    out(
      `| Human ${accuracy.human.version} | ${accuracy.human.faceFoundPct} % | ${accuracy.human.accuracyPct} % | ${accuracy.human.accuracyWhenFacePct} % |`,
    );
    out(
      `| Human, image padded with grey | ${accuracy.humanPadded.faceFoundPct} % | ${accuracy.humanPadded.accuracyPct} % | ${accuracy.humanPadded.accuracyWhenFacePct} % |`,
    );
  }
  out();
}

process.stdout.write(`${lines.join('\n')}\n`);
