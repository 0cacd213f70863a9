/**
 * The shapes of requests and answers, as zod schemas: the request schemas are the ones the routes
 * validate with, and openapi.ts builds the OpenAPI document from these same objects, so the
 * document cannot drift from what the server checks.
 */
import { z } from '@hono/zod-openapi';

import { NO_IMAGE } from './errors.js';

// ---- requests ----

const imageField = z
  .string({
    error: (issue) =>
      issue.input === undefined || issue.input === null ? NO_IMAGE : 'image must be a string: a data URL or base64',
  })
  .min(1, NO_IMAGE)
  .openapi({
    description: 'The image as a data URL (`data:image/jpeg;base64,…`) or bare base64',
    example: 'data:image/jpeg;base64,/9j/4AAQSkZJRg…',
  });

/** `{"image": "data:image/png;base64,…"}`; other fields are ignored, as the seed did. */
export const jsonBody = z
  .object({ image: imageField }, { error: 'The request body must be a JSON object' })
  .openapi('ImageJson');

export const analyzeQuery = z.object({
  landmarks: z
    .enum(['0', '1', 'true', 'false'], { error: 'landmarks must be 0, 1, true or false' })
    .optional()
    .transform((value) => value === '1' || value === 'true')
    .openapi({ description: 'Add the 468 `[x, y, z]` landmarks of each face', example: '1' }),
});

export const DEFAULT_TIME_CONSTANT_MS = 500;
const MAX_TIME_CONSTANT_MS = 60_000;
const TAU_ERROR = `tau must be a whole number of milliseconds from 0 to ${MAX_TIME_CONSTANT_MS}`;

/** GET /v1/stream's query: the smoothing's time constant and whether to send landmarks. */
export const streamQuery = z.object({
  tau: z
    .string()
    .regex(/^\d+$/, TAU_ERROR)
    .optional()
    .transform((value) => (value === undefined ? DEFAULT_TIME_CONSTANT_MS : Number(value)))
    .refine((value) => value <= MAX_TIME_CONSTANT_MS, TAU_ERROR)
    .openapi({
      description: `Smoothing time constant in ms, 0 to ${MAX_TIME_CONSTANT_MS} (default ${DEFAULT_TIME_CONSTANT_MS})`,
      example: '500',
    }),
  landmarks: analyzeQuery.shape.landmarks,
});
export type StreamQuery = z.output<typeof streamQuery>;

export const multipartBody = z.object({
  image: z.union([z.instanceof(File), imageField], { error: NO_IMAGE }),
});

// ---- answers ----

export const predictAnswer = z
  .object({
    emotion: z.enum(['HAPPY', 'SAD', 'No face detected']).openapi({
      description: 'HAPPY or SAD for the largest face, or "No face detected"',
      example: 'HAPPY',
    }),
  })
  .openapi('PredictAnswer');

export const seedError = z
  .object({ error: z.string().openapi({ example: NO_IMAGE }) })
  .openapi('SeedError', { description: "The seed service's error body (compact JSON and a newline)" });

export const v1Error = z
  .object({
    error: z.string().openapi({ example: 'Failed to decode image' }),
    code: z.string().openapi({ description: 'Stable, machine-readable', example: 'INVALID_IMAGE' }),
  })
  .openapi('Error');

const point = z.object({ x: z.number(), y: z.number() });

export const analyzeAnswer = z
  .object({
    faces: z.array(
      z.object({
        box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
        score: z.number().openapi({ description: "The detector's confidence, 0..1" }),
        presence: z.number().openapi({ description: "The landmark model's face presence, 0..1" }),
        emotion: z.string().openapi({ example: 'happy' }),
        emotions: z
          .array(z.object({ label: z.string(), probability: z.number() }))
          .openapi({ description: 'All 7 emotions, best first' }),
        keypoints: z.array(point).openapi({ description: "The detector's 6 keypoints" }),
        landmarks: z
          .array(z.tuple([z.number(), z.number(), z.number()]))
          .optional()
          .openapi({ description: 'With `?landmarks=1`: 468 `[x, y, z]` points in image pixels' }),
      }),
    ),
  })
  .openapi('AnalyzeAnswer');

/** An answer for one face, as the document shows it: typed by the schema, so it cannot drift from it. */
export const ANALYZE_EXAMPLE: z.input<typeof analyzeAnswer> = {
  faces: [
    {
      box: { x: 52.1, y: 61.3, width: 118.4, height: 118.4 },
      score: 0.93,
      presence: 0.99,
      emotion: 'happy',
      emotions: [
        { label: 'happy', probability: 0.91 },
        { label: 'neutral', probability: 0.05 },
      ],
      keypoints: [{ x: 88.2, y: 97.5 }],
    },
  ],
};

export const healthAnswer = z
  .object({
    status: z.enum(['ok', 'loading', 'error']),
    inFlight: z.number().int(),
    maxQueue: z.number().int(),
    error: z.string().optional(),
  })
  .openapi('Health', { example: { status: 'ok', inFlight: 0, maxQueue: 8 } });

export const probeAnswer = z
  .object({ status: z.enum(['live', 'ready', 'loading', 'draining', 'error']) })
  .openapi('Probe', { example: { status: 'ready' } });
