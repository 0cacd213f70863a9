/**
 * WebSocket clients that misbehave on purpose, over raw TCP sockets: the `ws` client cannot
 * send a bad request target, skip the handshake's headers, stop half-way through a frame, or
 * never read its socket. Used by stream-hostile.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawReply {
  /** The status line's code, or 0 when the server closed without one. */
  status: number;
  head: string;
}

/** Opens a TCP connection to the server. */
export function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** An upgrade request's head, with the headers given (null leaves one out). */
export function upgradeHead(target: string, headers: Record<string, string | null> = {}): string {
  const all: Record<string, string | null> = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all).flatMap(([name, value]) => (value === null ? [] : [`${name}: ${value}`]));
  return `GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends `head` on a new connection and reads the answer's head; resolves when the server closes or has answered. */
export async function exchange(port: number, head: string, timeoutMs = 5_000): Promise<RawReply> {
  const socket = await dial(port);
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, head: text.split('\r\n\r\n', 1)[0] ?? '' });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(head);
  });
}

/** A client frame (clients must mask), of `opcode` (1 text, 2 binary, 8 close), with `declared` overriding the length field. */
export function frame(opcode: number, payload: Buffer, declared = payload.length): Buffer {
  const mask = randomBytes(4);
  let header: Buffer;
  if (declared < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | declared]);
  } else if (declared < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(0x80 | 126, 1);
    header.writeUInt16BE(declared, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(0x80 | opcode, 0);
    header.writeUInt8(0x80 | 127, 1);
    header.writeBigUInt64BE(BigInt(declared), 2);
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([header, mask, masked]);
}

/**
 * Completes a valid handshake on a raw socket and hands it back after the 101. The socket is
 * left paused: unless the caller reads, nothing more is taken from the kernel's buffer, which
 * is how a client that never reads looks to the server.
 */
export async function openRawStream(port: number, target = '/v1/stream', headers: Record<string, string> = {}) {
  const socket = await dial(port);
  socket.on('error', () => {});
  const head = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      resolve(text.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed during the handshake: ${text}`)));
    socket.write(upgradeHead(target, headers));
  });
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`no upgrade: ${head.split('\r\n')[0]}`);
  return socket;
}

/** Resolves true if the server closes `socket` within `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('close', done);
    socket.once('end', done);
    // A paused socket does not see the FIN: let it flow, discarding what comes.
    socket.on('data', () => {});
    socket.resume();
  });
}
