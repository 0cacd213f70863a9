/**
 * The API key, when the server has keys on (API_KEYS / API_KEYS_FILE): the first 401 asks for
 * one, and it is kept in this module's memory only, for this tab's life; never in storage, so
 * closing or reloading the tab forgets it. Requests carry it as `Authorization: Bearer`; the
 * live stream, whose headers a page cannot set, as a WebSocket subprotocol (`streamProtocols`),
 * never in a URL.
 */
let apiKey: string | undefined;

/** `fetch`, with the key if there is one; on a 401 asks for a (new) key and tries again. */
export async function fetchWithKey(url: string, init: RequestInit): Promise<Response> {
  for (;;) {
    const headers = new Headers(init.headers);
    if (apiKey !== undefined) headers.set('Authorization', `Bearer ${apiKey}`);
    const response = await fetch(url, { ...init, headers });
    if (response.status !== 401) return response;
    const entered = window.prompt(
      apiKey === undefined
        ? 'This server needs an API key. It is kept in this tab only.'
        : 'The server refused that API key. Enter another:',
    );
    if (!entered?.trim()) return response; // declined: the caller shows the server's error
    apiKey = entered.trim();
  }
}

/** The stream's subprotocol, and the prefix of the entry that carries the key (the server's auth.ts). */
const STREAM_PROTOCOL = 'emotion.v1';
const KEY_PROTOCOL_PREFIX = 'emotion.key.';

/**
 * The subprotocols to open /v1/stream with: none until a key is known (as without keys), then
 * `emotion.v1` and the key as `emotion.key.<base64url(key)>`; the server answers `emotion.v1`.
 */
export function streamProtocols(): string[] {
  return apiKey === undefined ? [] : [STREAM_PROTOCOL, `${KEY_PROTOCOL_PREFIX}${base64url(apiKey)}`];
}

/**
 * After the stream at `path` was refused: a browser is not told why an upgrade failed, but a
 * plain GET of the same path is (401 while a key is needed, which asks for one as any request
 * does; past the key check the route answers that it wants an upgrade). True when a key was
 * newly given and accepted, so opening the stream again may now succeed.
 */
export async function keyForStream(path: string): Promise<boolean> {
  const before = apiKey;
  const response = await fetchWithKey(path, { method: 'GET' }).catch(() => undefined);
  return response !== undefined && response.status !== 401 && apiKey !== before;
}

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
