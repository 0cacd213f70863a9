/**
 * Hono's secure headers on every answer, with a Content-Security-Policy that fits what this
 * server serves: the web page and /docs load everything from here (scripts and styles from
 * files), frames go over the same-origin WebSocket, images and video come from blob: URLs of the
 * user's own files. Swagger UI sets style attributes, hence 'unsafe-inline' for styles only.
 */
import { secureHeaders } from 'hono/secure-headers';

export const securityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      mediaSrc: ["'self'", 'blob:'],
      connectSrc: ["'self'", 'ws:', 'wss:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
