/** Defaults the settings schema and the app share (settings.ts is where each one is documented). */
export const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;
export const DEFAULT_QUEUE_PER_THREAD = 4;
/** How long a request waits for Redis's rate-limit answer (RATE_LIMIT_STORE_TIMEOUT_MS). */
export const DEFAULT_STORE_TIMEOUT_MS = 100;
