/**
 * The `emotion` command: `analyze` images, folders, globs and videos; `serve` the HTTP API.
 * Exit codes: 0 every input was read, 1 some failed, 2 a usage error.
 */
import { createRequire } from 'node:module';

import { defaultThreads, SMALL_FACE_DETECTORS, type SmallFaceDetector } from '@emotion/core';
import { Command, Option } from 'commander';

import { analyzeFiles } from './analyze.js';
import { flag, positiveNumber, seconds, serverUrl, wholeNumber } from './arguments.js';
import type { Format } from './formats.js';
import { expandInputs } from './inputs.js';
import { analyzeVideos, isVideoPath } from './video.js';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Requests in flight with --server: enough to keep a small fleet's inference threads busy. */
const REMOTE_CONCURRENCY = 16;

interface AnalyzeFlags {
  json?: boolean;
  ndjson?: boolean;
  csv?: boolean;
  concurrency?: number;
  annotate?: string;
  mesh: boolean;
  smallFaces: SmallFaceDetector;
  minFaceSize?: number;
  server?: string;
  apiKey?: string;
  attempts: number;
  fps?: number;
  start?: number;
  duration?: number;
  tau: number;
  chart?: string;
  summary?: string;
}

/** Options that only mean something for one kind of input. */
const VIDEO_ONLY = ['fps', 'start', 'duration', 'tau', 'chart', 'summary'];
const SERVER_DECIDES = ['annotate', 'smallFaces', 'minFaceSize'];

export function buildProgram(): Command {
  const program = new Command('emotion')
    .description('Face-emotion recognition: analyze images and videos, or serve the HTTP API and webcam page')
    .version(version, '-v, --version')
    // Usage errors exit 2, so a script can tell them from images that failed (1).
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));

  program
    .command('analyze')
    .description(
      'find every face in images, folders (recursively) or globs, with its box and emotions; ' +
        'or follow each face through videos (decoded by ffmpeg) into a timeline and a summary',
    )
    .argument('<inputs...>', 'image files, folders or glob patterns (quote globs); or video files')
    .addOption(new Option('--json', 'one JSON document (videos: their summaries)').conflicts(['ndjson', 'csv']))
    .addOption(
      new Option('--ndjson', 'one JSON line per image as each finishes (videos: per analysed frame)').conflicts([
        'csv',
      ]),
    )
    .option('--csv', 'CSV, one row per face (videos: per face per analysed frame)')
    .option(
      '-c, --concurrency <n>',
      `images (or video frames) analysed at once (default: ${defaultThreads()}, the engine's threads; with --server ${REMOTE_CONCURRENCY})`,
      wholeNumber(1, 1024),
    )
    .option(
      '--server <url>',
      "send each image to a running server or fleet (its /v1/analyze) instead of this machine's CPUs",
      serverUrl,
    )
    .addOption(new Option('--api-key <key>', "with --server, the server's API key").env('EMOTION_API_KEY'))
    .option(
      '--attempts <n>',
      'with --server, tries per image (503/429 and lost connections are retried)',
      wholeNumber(1, 100),
      10,
    )
    .option(
      '--annotate <path>',
      'images: write each with its faces drawn on it into the folder <path> (JPEG stays JPEG, else PNG); ' +
        'a video: re-encode it with its faces drawn into the file <path> (sound copied)',
    )
    .option('--mesh', "with --annotate, also draw each face's 468 landmarks", false)
    .addOption(
      new Option('--small-faces <model>', 'the small-face pass: full-range (cheap) or mtcnn (group photos)')
        .choices(SMALL_FACE_DETECTORS)
        .default(SMALL_FACE_DETECTORS[0]),
    )
    .option(
      '--min-face-size <px>',
      'smallest face width looked for; 0: no small-face pass (default 48)',
      wholeNumber(0, 4096),
    )
    .option('--fps <n>', 'videos: analyse n frames per second of video (default: every frame)', positiveNumber(1000))
    .option('--start <time>', 'videos: begin at this time (seconds, or [hh:]mm:ss)', seconds)
    .option('--duration <time>', 'videos: analyse this much (seconds, or [hh:]mm:ss)', seconds)
    .option('--tau <ms>', 'videos: smoothing time constant in ms; 0: none', wholeNumber(0, 600_000), 500)
    .option('--chart <png>', "videos: draw each face's emotions over time into this PNG")
    .option('--summary <json>', 'videos: write the summary (per clip and per face) into this JSON file')
    .action(async (inputs: string[], options: AnalyzeFlags, command: Command) => {
      const format: Format = options.json ? 'json' : options.ndjson ? 'ndjson' : options.csv ? 'csv' : 'table';
      const given = (name: string) => ['cli', 'env'].includes(command.getOptionValueSource(name) ?? '');
      const files = await expandInputs(inputs);
      if (files.length === 0) program.error(`error: no image matches ${inputs.join(' ')}`);
      const videos = files.filter((file) => isVideoPath(file.path));

      if (videos.length > 0) {
        if (videos.length < files.length) program.error('error: give videos and images in separate runs');
        if (options.server !== undefined) program.error('error: --server takes images; videos are analysed here');
        if (given('apiKey')) program.error('error: --api-key needs --server <url>');
        if (options.mesh && options.annotate === undefined) program.error('error: --mesh needs --annotate <out.mp4>');
        if (videos.length > 1)
          for (const name of ['chart', 'summary', 'annotate'].filter(given))
            program.error(`error: ${flag(name)} takes one video`);
        const done = await analyzeVideos(
          videos.map((video) => video.path),
          { ...options, format, concurrency: options.concurrency ?? defaultThreads() },
        );
        const speed = done.seconds > 0 ? done.videoSeconds / done.seconds : 0;
        process.stderr.write(
          `${done.videos} video${done.videos === 1 ? '' : 's'} (${done.failed} failed), ${done.frames} frames ` +
            `in ${done.seconds.toFixed(1)} s: ${(done.frames / done.seconds).toFixed(1)} frames/s, ${speed.toFixed(2)}x real time\n`,
        );
        process.exitCode = done.failed > 0 ? EXIT_FAILED : 0;
        return;
      }

      for (const name of VIDEO_ONLY.filter(given)) program.error(`error: ${flag(name)} is for videos`);
      if (options.mesh && options.annotate === undefined) program.error('error: --mesh needs --annotate <dir>');
      if (options.server !== undefined) {
        // The server analyses with its own settings (SMALL_FACE_DETECTOR, MIN_FACE_SIZE) and draws nothing.
        const local = SERVER_DECIDES.filter(given);
        if (local.length > 0)
          program.error(`error: --server analyses with the server's settings; drop ${local.map(flag).join(', ')}`);
      } else if (command.getOptionValueSource('apiKey') === 'cli') {
        program.error('error: --api-key needs --server <url>');
      }
      const remote =
        options.server === undefined
          ? undefined
          : { server: options.server, apiKey: options.apiKey, attempts: options.attempts };
      const concurrency = options.concurrency ?? (remote ? REMOTE_CONCURRENCY : defaultThreads());
      const summary = await analyzeFiles(files, { ...options, format, concurrency, remote });
      const rate = summary.images / summary.seconds;
      process.stderr.write(
        `${summary.images} images (${summary.failed} failed), ${summary.faces} faces in ${summary.seconds.toFixed(1)} s: ${rate.toFixed(1)} images/s\n`,
      );
      process.exitCode = summary.failed > 0 ? EXIT_FAILED : 0;
    });

  program
    .command('serve')
    .description('run the HTTP server and webcam page, as `pnpm start` does (settings: the README, HOST, PORT…)')
    .option('--host <host>', 'address to listen on (HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (PORT; default 5000)', wholeNumber(0, 65535))
    .action(async (options: { host?: string; port?: number }) => {
      const [{ readSettings }, { startServer }] = await Promise.all([
        import('@emotion/server/config'),
        import('@emotion/server/server'),
      ]);
      const env = { ...process.env };
      if (options.host !== undefined) env.HOST = options.host;
      if (options.port !== undefined) env.PORT = String(options.port);
      let settings: ReturnType<typeof readSettings>;
      try {
        settings = readSettings(env);
      } catch (error) {
        console.error(`emotion serve: ${(error as Error).message}`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      startServer(settings);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `emotion analyze … | head -2`: once the reader has gone, nobody wants the rest; stop quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  await buildProgram().parseAsync(argv);
}
