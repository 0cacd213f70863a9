/**
 * Test support shared by every package (source only, never built or shipped): where the
 * team's data is, images made on the spot, and the real server process.
 */
export {
  dataUrl,
  gradientPng,
  makePng,
  PNG_SIGNATURE,
  pngChunk,
  pngClaiming,
  pseudoRandomBytes,
} from './images.js';
export { FACE_FILES, FACE_SIZE, facesDir, HAPPY_FACE, readFace, repoRoot, SAD_FACE, sharedDir } from './paths.js';
export { freePort, type RunningServer, SERVER_MAIN, startServer } from './server.js';
