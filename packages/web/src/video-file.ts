/**
 * "Analyse a video file": a local file plays on the stage and its frames go through the same
 * stream as the camera's (main.ts's loop, unmirrored); the whole file is recorded as a session,
 * whose summary shows when it ends. The file never leaves the browser except as those frames.
 */

export interface VideoFileHooks {
  /** The stage's <video>. */
  video: HTMLVideoElement;
  /** Streams the stage's video as the camera is streamed, unmirrored. */
  begin(): void;
  /** Stops the camera or the file streaming, with a status line; a session being recorded ends and its summary shows. */
  stop(message: string): void;
  setStatus(text: string, kind?: 'info' | 'warn' | 'error'): void;
}

/** The session recorder's longest duration (the page's "Record for" field). */
const MAX_RECORD_SECONDS = 600;

export function attachVideoFile(hooks: VideoFileHooks): void {
  const { video } = hooks;
  const input = document.getElementById('video-file') as HTMLInputElement;
  // Hidden like the photo input, but kept focusable through its label (set here: the page's CSP allows no inline style).
  Object.assign(input.style, { position: 'absolute', width: '1px', height: '1px', opacity: '0' });
  let url: string | undefined;
  let current: AbortController | undefined;

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    current?.abort();
    const mine = new AbortController();
    current = mine;
    hooks.stop(`Opening ${file.name}…`);
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(file);
    video.srcObject = null;
    video.muted = true;
    video.loop = false;
    video.src = url;
    const playable = await new Promise<boolean>((resolve) => {
      video.addEventListener('loadeddata', () => resolve(true), { once: true, signal: mine.signal });
      video.addEventListener('error', () => resolve(false), { once: true, signal: mine.signal });
    });
    if (mine !== current) return;
    if (!playable) {
      hooks.stop(`"${file.name}" is not a video this browser can play.`);
      hooks.setStatus(`"${file.name}" is not a video this browser can play.`, 'error');
      return;
    }
    hooks.begin();
    video.addEventListener('ended', () => hooks.stop(`Video analysed: ${file.name}.`), {
      once: true,
      signal: mine.signal,
    });
    await video.play().catch(() => {});
    record(Math.min(MAX_RECORD_SECONDS, Math.ceil(video.duration)));
  });
}

/** Starts the page's session recording for `seconds` (the camera's controls, as a user would). */
function record(seconds: number): void {
  const duration = document.getElementById('record-seconds') as HTMLInputElement;
  const button = document.getElementById('record') as HTMLButtonElement;
  if (!Number.isFinite(seconds) || seconds < 1 || button.dataset.recording) return;
  duration.value = String(seconds);
  button.click();
}
