import { request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** An interim `100 Continue` arrived before the answer. */
  sawContinue: boolean;
  /** Body bytes the client handed to its kernel before the answer came (or the socket closed). */
  clientWritten: number;
  /** Bytes the server's socket read on this connection, request line and headers included. */
  serverRead: number;
  /** The server closed the connection after answering (waited for only when it said `Connection: close`). */
  closed: boolean;
}

export interface RawUpload {
  path?: string;
  headers: Record<string, string | number>;
  /** Sent first (e.g. a multipart preamble); then `fill` bytes in chunks, generated on the fly. */
  head?: Buffer;
  fill?: number;
  tail?: Buffer;
  /** Wait for `100 Continue` before sending any byte of the body. */
  waitForContinue?: boolean;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x41);

/**
 * POSTs with node:http, writing the body piece by piece (never whole in memory) and stopping the
 * moment an answer or an error arrives; counts what the server read through its socket.
 */
export function rawUpload(server: Server, port: number, upload: RawUpload): Promise<RawAnswer> {
  const serverSockets = new Map<number, Socket>();
  const track = (socket: Socket) => serverSockets.set(socket.remotePort ?? 0, socket);
  server.on('connection', track);
  return new Promise<RawAnswer>((resolve, reject) => {
    let answered = false;
    let sawContinue = false;
    let clientWritten = 0;
    let localPort = 0;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: upload.path ?? '/images', headers: upload.headers });
    const giveUp = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer within 30 s'));
    }, 30_000);
    const finish = (answer: Omit<RawAnswer, 'serverRead' | 'sawContinue' | 'clientWritten'>) => {
      clearTimeout(giveUp);
      server.off('connection', track);
      // bytesRead survives the socket's close; give a still-open one a moment to be counted.
      setTimeout(() => resolve({ ...answer, sawContinue, clientWritten, serverRead: serverSockets.get(localPort)?.bytesRead ?? -1 }), 50);
    };
    req.on('socket', (socket) => socket.once('connect', () => (localPort = socket.localPort ?? 0)));
    req.on('error', (error) => {
      if (!answered) {
        clearTimeout(giveUp);
        server.off('connection', track);
        reject(error);
      }
    });
    req.on('continue', () => {
      sawContinue = true;
      if (upload.waitForContinue) void sendBody();
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        const socket = req.socket;
        const done = () =>
          finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), closed: true });
        const closing = res.headers.connection === 'close';
        if (!socket || socket.destroyed) done();
        else if (closing) socket.once('close', done);
        else finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), closed: false });
      });
    });
    const settled = () =>
      new Promise<void>((ok) => {
        const done = () => {
          for (const event of ['drain', 'close', 'response']) req.off(event, done);
          ok();
        };
        for (const event of ['drain', 'close', 'response']) req.on(event, done);
      });
    const write = async (data: Buffer) => {
      if (answered || req.destroyed) return;
      const flushed = req.write(data, () => {
        clientWritten += data.length;
      });
      if (!flushed) await settled();
    };
    const sendBody = async () => {
      if (upload.head) await write(upload.head);
      for (let sent = 0; sent < (upload.fill ?? 0) && !answered && !req.destroyed; sent += CHUNK.length) {
        await write(CHUNK.subarray(0, Math.min(CHUNK.length, upload.fill! - sent)));
      }
      if (upload.tail) await write(upload.tail);
      if (!answered && !req.destroyed) req.end();
    };
    req.flushHeaders();
    if (!upload.waitForContinue && (upload.head || upload.fill || upload.tail)) void sendBody();
  });
}

/** The first part of a multipart body whose one file part follows (`fill` bytes), and its end. */
export function multipartFrame(filename: string): { head: Buffer; tail: Buffer; contentType: string } {
  const boundary = `----raw${Math.random().toString(16).slice(2)}`;
  return {
    head: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
