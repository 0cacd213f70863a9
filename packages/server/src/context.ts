/** What the middleware of one request share through Hono's context (`c.get`/`c.set`). */
export interface ServerEnv {
  Variables: {
    /** The request's id: the caller's X-Request-Id when sane, else a fresh UUID (hono/request-id). */
    requestId: string;
    /** The name of the API key that was accepted (never the key). */
    keyName: string | undefined;
    /** Why the request has no accepted key, when keys are on (auth.ts). */
    keyRefusal: string | undefined;
    /** Faces the request's inference found, for the request log. */
    faces: number | undefined;
  };
}
