/**
 * The WebSocket server behind /v1/stream and the HTTP server's upgrade path.
 *
 * Upgrades are handled by @hono/node-server's own WebSocket support (`serve({ websocket })`,
 * its `upgradeWebSocket`), not by @hono/node-ws, which this server used before. Read side by
 * side, node-ws built the request URL outside any try (a bad target such as `http://[/` threw
 * out of the async 'upgrade' listener and stopped the process), wrote refusals to a socket
 * with no 'error' listener (a client reset during the refusal stopped the process), and kept
 * a pending entry, with the whole request, for every handshake that `ws` refused afterwards
 * (a leak of ~8.5 kB each). node-server 2.x builds the request under try/catch, listens for
 * 'error' on the socket from the first byte, answers refusals with the route's status (and
 * its Retry-After), and frees the pending entry when the socket closes. What it leaves open,
 * we close here: an Upgrade to anything but websocket would be handed to its listener, which
 * ignores it and leaves the socket open for ever. stream-hostile.test.ts holds all of this.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';

export interface StreamServerOptions {
  /** The largest frame in bytes (MAX_BODY_MB): a bigger one closes the stream with 1009. */
  maxPayload: number;
  /** Picks the subprotocol to answer from those the client offered (browsers need one echoed). */
  handleProtocols?: (offered: Set<string>) => string | false;
}

/** A `ws` server for `serve({ websocket: { server } })`: no server of its own, no compression. */
export function createStreamServer(options: StreamServerOptions): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload,
    // Compression would let a small frame inflate to many times its size before any check.
    perMessageDeflate: false,
    clientTracking: true,
    ...(options.handleProtocols ? { handleProtocols: options.handleProtocols } : {}),
  });
}

/**
 * Wraps the upgrade listener that `serve({ websocket })` installed: upgrades to anything but
 * websocket get 400 and a closed socket, and nothing the listener does can throw out of it.
 * There must stay a single 'upgrade' listener: node-server only answers refusals itself when
 * it is the only one.
 */
export function guardUpgrades(server: Server): void {
  const [inner, ...others] = server.listeners('upgrade') as ((...args: unknown[]) => unknown)[];
  if (!inner || others.length > 0) throw new Error('expected exactly one upgrade listener, from serve({ websocket })');
  server.removeAllListeners('upgrade');
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const protocol = request.headers.upgrade;
    if (typeof protocol !== 'string' || protocol.toLowerCase() !== 'websocket' || !validTarget(request)) {
      refuse(socket, 400, 'Bad Request');
      return;
    }
    try {
      Promise.resolve(inner.call(server, request, socket, head)).catch(() =>
        refuse(socket, 500, 'Internal Server Error'),
      );
    } catch {
      refuse(socket, 500, 'Internal Server Error');
    }
  });
}

/**
 * Whether the request target and Host make a URL, as node-server will build it: it answers a
 * target it cannot parse with 500, a client's fault that deserves a 400.
 */
function validTarget(request: IncomingMessage): boolean {
  const target = request.url ?? '';
  try {
    if (target.startsWith('/')) new URL(`http://${request.headers.host ?? 'localhost'}${target}`);
    else if (/^https?:\/\//i.test(target)) new URL(target);
    else return false;
    return true;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // A client that never reads would keep the socket half-open.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
