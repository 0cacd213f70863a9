/**
 * POST /predict: the seed service's contract, byte for byte (../shared/seed/predict-api.txt):
 * `{"image": "data:image/…;base64,…"}` in, the largest face's HAPPY or SAD (whichever is more
 * likely) or "No face detected" out, errors as `{"error": …}`, all written as Flask wrote them.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';

import type { ServerEnv } from '../context.js';
import type { EngineSlot } from '../engine-slot.js';
import { NO_IMAGE, RequestError } from '../errors.js';
import { errorResponses, keySecurity } from '../openapi-common.js';
import { JSON_TYPE, mediaType, rejectInvalid, seedJson } from '../replies.js';
import { jsonBody, predictAnswer } from '../schemas.js';

const SEED_EMOTIONS = ['happy', 'sad'] as const;
/** The seed's words for its two emotions. */
const SEED_ANSWERS = { happy: 'HAPPY', sad: 'SAD' } as const;
const NO_FACE = 'No face detected';

/**
 * The seed's data URL handling: the base64 is what follows the first comma ("data:...,<b64>");
 * a string without a comma is taken as bare base64.
 */
export function base64Payload(image: string): string {
  const comma = image.indexOf(',');
  return comma < 0 ? image : image.slice(comma + 1);
}

// The seed's clients send JSON (requests' json=, fetch with application/json).
const requireJson: MiddlewareHandler = async (c, next) => {
  if (!JSON_TYPE.test(mediaType(c)))
    throw new RequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  await next();
};

export function predictRoutes(slot: EngineSlot, bodyLimit: MiddlewareHandler, keys: boolean) {
  const route = createRoute({
    method: 'post',
    path: '/predict',
    tags: ['seed'],
    summary: 'HAPPY or SAD for the largest face (the seed service’s contract, byte for byte)',
    description: 'Answers as Flask did: compact JSON and a newline. Bodies other than JSON are refused with 415.',
    security: keySecurity(keys),
    middleware: [slot.shed, bodyLimit, requireJson] as const,
    request: { body: { required: true, content: { 'application/json': { schema: jsonBody } } } },
    responses: {
      200: {
        description: 'The emotion of the largest face, or "No face detected"',
        content: {
          'application/json': {
            schema: predictAnswer,
            examples: { happy: { value: { emotion: 'HAPPY' } }, noFace: { value: { emotion: NO_FACE } } },
          },
        },
      },
      ...errorResponses('seed'),
    },
  });
  return new OpenAPIHono<ServerEnv>().openapi(
    route,
    async (c) => {
      const { image } = c.req.valid('json');
      const emotion = await slot.infer((engine) =>
        engine.dominantEmotion(base64Payload(image), { among: SEED_EMOTIONS }),
      );
      c.set('faces', emotion === null ? 0 : 1);
      // `among` limits the answer to the seed's two emotions.
      return seedJson(c, { emotion: emotion ? SEED_ANSWERS[emotion as (typeof SEED_EMOTIONS)[number]] : NO_FACE });
    },
    rejectInvalid(NO_IMAGE),
  );
}
