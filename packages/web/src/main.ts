/**
 * The webcam client. The camera's frames are downscaled to at most 640 px wide and sent as
 * JPEG over the /v1/stream WebSocket (or, where it is unavailable, to POST /v1/analyze, the
 * next frame once the previous answer is in); each face's box, track id and smoothed emotion
 * are drawn over the live video, optionally with its mesh, and charted over the last minute.
 * A session can be recorded and summarised (session-ui.ts). A photo can be uploaded instead.
 * Plain DOM and canvas: no framework.
 */
import './style.css';

import { fetchWithKey } from './api-key.js';
import { EMOTION_COLOURS, faceCaption } from '@emotion/core/wire';
import { describeCameraError, fitWidth, mirrorBox, type AnalyzedFace } from './geometry.js';
import { createSessionUi } from './session-ui.js';
import { attachVideoFile } from './video-file.js';
import { FrameStream, type StreamAnswer } from './stream-client.js';
import { LiveTimeline } from './timeline.js';

/** Frames sent to the server are at most this wide. */
const MAX_FRAME_WIDTH = 640;
/** Photos may be larger, so small faces in a group photo are still found. */
const MAX_PHOTO_WIDTH = 1280;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const cameraButton = $<HTMLButtonElement>('camera');
const upload = $<HTMLInputElement>('upload');
const statusLine = $<HTMLParagraphElement>('status');
const stage = $<HTMLDivElement>('stage');
const video = $<HTMLVideoElement>('video');
const photo = $<HTMLImageElement>('photo');
const overlay = $<HTMLCanvasElement>('overlay');
const faceList = $<HTMLOListElement>('faces');
const timing = $<HTMLParagraphElement>('timing');
const meshToggle = $<HTMLInputElement>('mesh');
const frameCanvas = document.createElement('canvas');
const timeline = new LiveTimeline($<HTMLDivElement>('timeline'));
const sessionUi = createSessionUi();

let stream: MediaStream | null = null;
/** The camera is shown as a mirror; a video file (video-file.ts) as it is. */
let mirrored = true;
/** Bumped on every start, stop and upload, so a late answer for an old frame is dropped. */
let session = 0;

function setStatus(text: string, kind: 'info' | 'warn' | 'error' = 'info'): void {
  statusLine.textContent = text;
  statusLine.dataset.kind = kind;
}

// ---- talking to the server ----

interface AnalyzeAnswer {
  faces: AnalyzedFace[];
}

async function analyze(image: Blob): Promise<AnalyzeAnswer> {
  const response = await fetchWithKey(meshToggle.checked ? '/v1/analyze?landmarks=1' : '/v1/analyze', {
    method: 'POST',
    headers: { 'Content-Type': image.type || 'image/jpeg' },
    body: image,
  });
  const body = (await response.json().catch(() => ({}))) as Partial<AnalyzeAnswer> & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `the server answered ${response.status}`);
  return { faces: body.faces ?? [] };
}

/** Draws `source` at most `maxWidth` wide and encodes it as JPEG. */
async function encodeFrame(
  source: CanvasImageSource,
  width: number,
  height: number,
  maxWidth: number,
): Promise<{ blob: Blob; width: number; height: number }> {
  const size = fitWidth(width, height, maxWidth);
  frameCanvas.width = size.width;
  frameCanvas.height = size.height;
  const context = frameCanvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw on a canvas');
  context.drawImage(source, 0, 0, size.width, size.height);
  const blob = await new Promise<Blob | null>((resolve) => frameCanvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error('this browser could not encode the frame');
  return { blob, ...size };
}

// ---- drawing ----

/**
 * Draws the faces on the overlay, whose pixels are those of the analysed frame (`width` ×
 * `height`); CSS stretches it over the video or photo, which has the same aspect ratio.
 */
function drawFaces(faces: AnalyzedFace[], width: number, height: number, mirrored: boolean): void {
  overlay.width = width;
  overlay.height = height;
  const context = overlay.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, width, height);
  const line = Math.max(2, Math.round(width / 160));
  const fontSize = Math.max(14, Math.round(width / 22));
  context.font = `600 ${fontSize}px system-ui, sans-serif`;
  context.textBaseline = 'top';
  const drawn: { label: string; id?: number; box: [number, number, number, number] }[] = [];
  for (const face of faces) {
    const box = mirrored ? mirrorBox(face.box, width) : face.box;
    const colour = EMOTION_COLOURS[face.emotion] ?? '#ffffff';
    if (meshToggle.checked && face.landmarks) drawMesh(context, face.landmarks, width, mirrored);
    context.lineWidth = line;
    context.strokeStyle = colour;
    context.strokeRect(box.x, box.y, box.width, box.height);

    const text = faceCaption(face);
    const padding = Math.round(fontSize / 4);
    const textWidth = context.measureText(text).width + 2 * padding;
    const textHeight = fontSize + 2 * padding;
    // Above the box, or inside its top edge when the box touches the top of the frame; on
    // whole pixels, so its edges are crisp and blend nothing into the box's stroke.
    const top = Math.round(box.y - textHeight >= 0 ? box.y - textHeight : box.y);
    const left = Math.round(Math.min(Math.max(0, box.x - line / 2), Math.max(0, width - textWidth)));
    context.fillStyle = colour;
    context.fillRect(left, top, textWidth, textHeight);
    context.fillStyle = '#111111';
    context.fillText(text, left + padding, top + padding);
    drawn.push({ label: face.emotion.toUpperCase(), id: face.id, box: [box.x, box.y, box.width, box.height] });
  }
  // What was drawn, for tests and for anyone curious in the inspector.
  overlay.dataset.faces = JSON.stringify(drawn);
}

function drawMesh(
  context: CanvasRenderingContext2D,
  points: [number, number, number][],
  width: number,
  mirrored: boolean,
): void {
  context.fillStyle = 'rgba(0, 229, 255, 0.8)';
  const size = Math.max(1.5, width / 400);
  for (const [x, y] of points) context.fillRect((mirrored ? width - x : x) - size / 2, y - size / 2, size, size);
}

function listFaces(faces: AnalyzedFace[]): void {
  faceList.replaceChildren(
    ...faces.map((face, index) => {
      const item = document.createElement('li');
      const title = document.createElement('strong');
      title.textContent = `Face ${face.id === undefined ? index + 1 : `#${face.id}`}: ${face.emotion.toUpperCase()}`;
      const bars = document.createElement('div');
      bars.className = 'bars';
      for (const { label, probability } of face.emotions.slice(0, 3)) {
        const row = document.createElement('div');
        row.className = 'bar';
        const name = document.createElement('span');
        name.textContent = label;
        const meter = document.createElement('meter');
        meter.min = 0;
        meter.max = 1;
        meter.value = probability;
        const value = document.createElement('span');
        value.textContent = `${Math.round(probability * 100)}%`;
        row.append(name, meter, value);
        bars.append(row);
      }
      item.append(title, bars);
      return item;
    }),
  );
}

function showResult(faces: AnalyzedFace[], width: number, height: number, mirrored: boolean, source: string): void {
  drawFaces(faces, width, height, mirrored);
  listFaces(faces);
  if (faces.length === 0) {
    setStatus(
      source === 'camera'
        ? 'No face detected. Face the camera, with light on your face.'
        : 'No face detected in this photo.',
      'warn',
    );
  } else {
    const labels = faces.map((face) => face.emotion.toUpperCase()).join(', ');
    setStatus(faces.length === 1 ? `Emotion: ${labels}` : `${faces.length} faces: ${labels}`);
  }
}

function showMedia(kind: 'video' | 'photo' | 'none'): void {
  stage.classList.toggle('empty', kind === 'none');
  stage.classList.toggle('mirrored', kind === 'video' && mirrored);
  stage.classList.toggle('photo', kind === 'photo');
  video.hidden = kind !== 'video';
  photo.hidden = kind !== 'photo';
  overlay.width = 0;
  overlay.height = 0;
  delete overlay.dataset.faces;
  faceList.replaceChildren();
  timing.textContent = '';
}

// ---- camera ----

async function startCamera(): Promise<void> {
  const mine = ++session;
  if (!navigator.mediaDevices?.getUserMedia) {
    setStatus(
      'This page cannot use a camera here: it needs https or http://127.0.0.1 / localhost. You can still upload a photo.',
      'error',
    );
    return;
  }
  cameraButton.disabled = true;
  setStatus('Asking for the camera…');
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
      audio: false,
    });
  } catch (error) {
    cameraButton.disabled = false;
    setStatus(describeCameraError(error), 'error');
    return;
  }
  if (mine !== session) {
    for (const track of stream.getTracks()) track.stop();
    return;
  }
  video.srcObject = stream;
  await video.play().catch(() => {});
  mirrored = true;
  showMedia('video');
  cameraButton.textContent = 'Stop camera';
  cameraButton.disabled = false;
  cameraButton.dataset.running = 'true';
  setStatus('Looking for a face…');
  sessionUi.setCameraRunning(true);
  void cameraLoop(mine);
}

function stopCamera(message = 'Camera stopped.'): void {
  session++;
  for (const track of stream?.getTracks() ?? []) track.stop();
  stream = null;
  video.srcObject = null;
  video.removeAttribute('src');
  cameraButton.textContent = 'Start camera';
  delete cameraButton.dataset.running;
  sessionUi.setCameraRunning(false);
  timeline.clear();
  showMedia('none');
  setStatus(message);
}

/** Streams the camera when the server offers /v1/stream; else posts one frame at a time. */
async function cameraLoop(mine: number): Promise<void> {
  while (mine === session) {
    const landmarks = meshToggle.checked;
    const frameStream = await FrameStream.open({ landmarks: landmarks ? '1' : '0' });
    if (mine !== session) return frameStream?.close();
    if (!frameStream) return httpCameraLoop(mine);
    await streamCameraLoop(mine, frameStream, landmarks);
    frameStream.close();
    // Left because the mesh was toggled (reconnect asking for it) or the stream broke: go on.
    if (mine === session && frameStream.open === false && meshToggle.checked === landmarks) await sleep(500);
  }
}

async function streamCameraLoop(mine: number, frameStream: FrameStream, landmarks: boolean): Promise<void> {
  const answers: number[] = [];
  let size = { width: 0, height: 0 };
  frameStream.onAnswer = (answer: StreamAnswer) => {
    if (mine !== session) return;
    const now = performance.now();
    answers.push(now);
    while ((answers[0] ?? now) < now - 2000) answers.shift();
    showResult(answer.faces, size.width, size.height, mirrored, 'camera');
    onCameraFaces(answer.faces);
    const first = answers[0] ?? now;
    const fps = answers.length > 1 ? ((answers.length - 1) / ((now - first) / 1000)).toFixed(1) : '…';
    timing.textContent = `${size.width}×${size.height} frame, answered in ${answer.latencyMs} ms over the stream, ${fps} frames/s, ${answer.dropped} dropped`;
    timing.dataset.latencyMs = String(answer.latencyMs);
    timing.dataset.fps = fps;
    timing.dataset.transport = 'stream';
  };
  frameStream.onFrameError = (error) => {
    if (mine === session) setStatus(`A frame could not be analysed: ${error.message}`, 'warn');
  };
  while (mine === session && frameStream.open && meshToggle.checked === landmarks) {
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) {
      await sleep(50);
      continue;
    }
    await frameStream.ready();
    if (mine !== session || !frameStream.open) return;
    const frame = await encodeFrame(video, video.videoWidth, video.videoHeight, MAX_FRAME_WIDTH);
    size = frame;
    await frameStream.send(frame.blob);
  }
}

/** One frame in flight at a time: the next is taken when the answer for the last arrives. */
async function httpCameraLoop(mine: number): Promise<void> {
  let failures = 0;
  while (mine === session) {
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) {
      await sleep(50);
      continue;
    }
    try {
      const started = performance.now();
      const frame = await encodeFrame(video, video.videoWidth, video.videoHeight, MAX_FRAME_WIDTH);
      const { faces } = await analyze(frame.blob);
      if (mine !== session) return;
      // Without the stream there is no tracking: ids follow the answer's order.
      const numbered = faces.map((face, index) => ({ ...face, id: index + 1 }));
      showResult(numbered, frame.width, frame.height, mirrored, 'camera');
      onCameraFaces(numbered);
      timing.textContent = `${frame.width}×${frame.height} frame, answered in ${Math.round(performance.now() - started)} ms over HTTP`;
      timing.dataset.transport = 'http';
      failures = 0;
    } catch (error) {
      if (mine !== session) return;
      failures++;
      setStatus(`The server did not answer: ${(error as Error).message}. Retrying…`, 'error');
      await sleep(Math.min(5000, 500 * failures));
    }
  }
}

function onCameraFaces(faces: AnalyzedFace[]): void {
  const sample = faces.map((face) => ({ id: face.id ?? 0, emotion: face.emotion, emotions: face.emotions }));
  timeline.add(Date.now(), sample);
  sessionUi.add(sample);
}

// ---- photo ----

async function analyzePhoto(file: File): Promise<void> {
  if (stream) stopCamera();
  const mine = ++session;
  const url = URL.createObjectURL(file);
  try {
    photo.src = url;
    await photo.decode();
  } catch {
    URL.revokeObjectURL(url);
    showMedia('none');
    setStatus(`"${file.name}" is not an image this browser can open.`, 'error');
    return;
  }
  showMedia('photo');
  setStatus('Analysing the photo…');
  try {
    const started = performance.now();
    const frame = await encodeFrame(photo, photo.naturalWidth, photo.naturalHeight, MAX_PHOTO_WIDTH);
    const { faces } = await analyze(frame.blob);
    if (mine !== session) return;
    showResult(faces, frame.width, frame.height, false, 'photo');
    timing.textContent = `${frame.width}×${frame.height} image, answered in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    if (mine === session) setStatus(`The photo could not be analysed: ${(error as Error).message}`, 'error');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

cameraButton.addEventListener('click', () => {
  if (stream || cameraButton.dataset.running) stopCamera();
  else void startCamera();
});
upload.addEventListener('change', () => {
  const file = upload.files?.[0];
  upload.value = '';
  if (file) void analyzePhoto(file);
});
// "Analyse a video file": the file plays on the stage and streams through the camera's loop.
attachVideoFile({
  video,
  begin() {
    const mine = ++session;
    mirrored = false;
    showMedia('video');
    cameraButton.textContent = 'Stop video';
    cameraButton.dataset.running = 'true';
    sessionUi.setCameraRunning(true);
    setStatus('Looking for a face…');
    void cameraLoop(mine);
  },
  stop: (message) => stopCamera(message),
  setStatus,
});
showMedia('none');
