/** Pure helpers of the web client (no DOM), unit-tested in test/geometry.test.ts. */
import type { WireBox as Box, WireFace } from '@emotion/core/wire';

export type { Box };

/** One face of a /v1/analyze answer, or of the stream's (which adds its track `id`). */
export type AnalyzedFace = WireFace & { id?: number };

/** The size of a `width` × `height` image scaled down (never up) to at most `maxWidth` wide. */
export function fitWidth(width: number, height: number, maxWidth: number): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

/** The box as it appears in a horizontally mirrored picture `frameWidth` wide (selfie view). */
export function mirrorBox(box: Box, frameWidth: number): Box {
  return { ...box, x: frameWidth - box.x - box.width };
}

/** A sentence for the person when getUserMedia fails. */
export function describeCameraError(error: unknown): string {
  const name =
    error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException)
      ? (error as Error).name
      : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'Camera access was refused. Allow the camera for this site in the browser (the icon in the address bar), then press Start camera again — or upload a photo.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found. Plug one in and press Start camera again, or upload a photo.';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'The camera could not be started: another application may be using it. Close it and try again, or upload a photo.';
    default:
      return `The camera could not be started (${error instanceof Error ? error.message : String(error)}). You can upload a photo instead.`;
  }
}
