/**
 * The API key, when the server has keys on (API_KEYS / API_KEYS_FILE): the first 401 asks for
 * one, and it is kept in this module's memory only, for this tab's life; never in storage, so
 * closing or reloading the tab forgets it.
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
