/**
 * POST /v1/analyze: every face in the image, with its box, scores, the seven emotions'
 * probabilities, keypoints and, with `?landmarks=1`, the 468 landmarks. The image comes as the
 * same JSON as /predict, as the raw bytes (`Content-Type: image/*`), or as a form's `image`.
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';

import { analyzeAnswer } from '../answers.js';
import type { ServerEnv } from '../context.js';
import type { EngineSlot } from '../engine-slot.js';
import { NO_IMAGE, RequestError } from '../errors.js';
import { errorResponses, keySecurity } from '../openapi-common.js';
import { JSON_TYPE, mediaType, rejectInvalid } from '../replies.js';
import {
  ANALYZE_EXAMPLE,
  analyzeAnswer as analyzeAnswerSchema,
  analyzeQuery,
  jsonBody,
  multipartBody,
} from '../schemas.js';
import { base64Payload } from './predict.js';

// The bodies are read by readImage (three media types, one of them a file): the document
// describes them, the handler checks them with the same schemas.
const BODY_DOCS = {
  'application/json': { schema: { $ref: '#/components/schemas/ImageJson' } },
  'image/*': { schema: { type: 'string' as const, format: 'binary', description: 'The image bytes (JPEG, PNG, …)' } },
  'multipart/form-data': {
    schema: {
      type: 'object' as const,
      required: ['image'],
      properties: {
        image: {
          type: 'string' as const,
          format: 'binary',
          description: 'The image file, or a data URL / base64 string',
        },
      },
    },
  },
};

export function analyzeRoutes(slot: EngineSlot, bodyLimit: MiddlewareHandler, keys: boolean) {
  const route = createRoute({
    method: 'post',
    path: '/v1/analyze',
    tags: ['v1'],
    summary: 'Every face: box, score, the 7 emotions’ probabilities, keypoints, optionally landmarks',
    security: keySecurity(keys),
    middleware: [slot.shed, bodyLimit] as const,
    request: { query: analyzeQuery, body: { required: true, content: BODY_DOCS } },
    responses: {
      200: {
        description: 'The faces found, best first (an empty list when none)',
        content: { 'application/json': { schema: analyzeAnswerSchema, example: ANALYZE_EXAMPLE } },
      },
      ...errorResponses('v1'),
    },
  });
  return new OpenAPIHono<ServerEnv>().openapi(
    route,
    async (c) => {
      const { landmarks } = c.req.valid('query');
      const input = await readImage(c);
      const faces = await slot.infer((engine) => engine.analyze(input));
      c.set('faces', faces.length);
      return c.json(analyzeAnswer(faces, landmarks), 200);
    },
    rejectInvalid('invalid query'),
  );
}

/** The image of a request: JSON like /predict, raw image bytes, or a form's `image`. */
async function readImage(c: Context<ServerEnv>): Promise<Buffer | string> {
  const type = mediaType(c);
  if (JSON_TYPE.test(type)) {
    const parsed: unknown = await c.req.json().catch(() => {
      throw new RequestError(400, 'BAD_REQUEST', 'Malformed JSON in request body');
    });
    const body = jsonBody.safeParse(parsed);
    if (!body.success) throw new RequestError(400, 'INVALID_REQUEST', body.error.issues[0]?.message ?? NO_IMAGE);
    return base64Payload(body.data.image);
  }
  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = Buffer.from(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new RequestError(400, 'NO_IMAGE', NO_IMAGE);
    return bytes;
  }
  if (type === 'multipart/form-data') {
    // A body that is no form (no boundary, garbage, cut short) is the client's fault, not ours.
    const fields = await c.req.parseBody().catch(() => {
      throw new RequestError(400, 'BAD_REQUEST', 'Malformed multipart/form-data body');
    });
    const form = multipartBody.safeParse(fields);
    if (!form.success) throw new RequestError(400, 'NO_IMAGE', form.error.issues[0]?.message ?? NO_IMAGE);
    const { image } = form.data;
    return typeof image === 'string' ? base64Payload(image) : Buffer.from(await image.arrayBuffer());
  }
  throw new RequestError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Content-Type must be application/json, image/* or multipart/form-data',
  );
}
