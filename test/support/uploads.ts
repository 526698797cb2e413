import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { listFiles, storedFiles, TestApp } from './test-app';
import { TestUser } from './users';

/** The contract's Image, as a client receives it. */
export interface ImageBody {
  id: string;
  filename: string;
  mimeType: string;
  extension: string;
  size: number;
  width: number;
  height: number;
  checksum: string;
  uploadedAt: string;
  ownerId: string;
  url: string;
  alt: string | null;
  focalPoint: { x: number; y: number } | null;
  thumbhash: string | null;
  dominantColor: string | null;
  takenAt: string | null;
  camera: string | null;
  animated: boolean | null;
  frames: number | null;
}

export async function imageRowCount(t: TestApp): Promise<number> {
  const rows: Array<{ n: number | string }> = await t.dataSource.query('SELECT COUNT(*) AS n FROM images');
  return Number(rows[0].n);
}

export interface Leftovers {
  files: string[];
  rows: number;
}

/**
 * What is at rest: every stored object (through the app's driver) plus every file under
 * UPLOAD_DIR (catches `.part` files and anything written beside the driver), and the row count.
 */
export async function leftovers(t: TestApp): Promise<Leftovers> {
  const files = new Set([...(await storedFiles(t)), ...listFiles(t.uploadDir)]);
  return { files: [...files].sort(), rows: await imageRowCount(t) };
}

/** Polls until `check` passes (temporary files of an aborted request are removed asynchronously). */
export async function eventually(check: () => Promise<void>, timeoutMs = 5000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

export interface Part {
  name: string;
  /** A file part when set (a `filename=` parameter); a plain field otherwise. */
  filename?: string;
  /** The raw Content-Disposition parameters after `name`, to send names no client library would. */
  rawParams?: string;
  contentType?: string;
  body: Buffer | string;
}

/** A multipart/form-data body built by hand, byte for byte, with no client-side name cleaning. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----test${randomBytes(8).toString('hex')}`;
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const params = part.rawParams ?? (part.filename !== undefined ? `; filename="${part.filename}"` : '');
    const type = part.contentType ?? (part.filename !== undefined || part.rawParams ? 'application/octet-stream' : undefined);
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${params}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`;
    pieces.push(Buffer.from(head, 'utf8'), Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body, 'utf8'), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Sends a hand-built multipart body to `path` (default `/images`). */
export function postMultipart(t: TestApp, user: TestUser, parts: Part[], path = '/images') {
  const { body, contentType } = multipart(parts);
  return t.http.post(path).set(user.auth).set('Content-Type', contentType).send(body);
}

/** The usual upload: one file in the field `file`. */
export function upload(t: TestApp, user: TestUser, file: Buffer, filename: string, path = '/images') {
  return t.http.post(path).set(user.auth).attach('file', file, filename);
}

/** Uploads and returns the created Image, failing loudly if it was not a 201. */
export async function uploadImage(t: TestApp, user: TestUser, file: Buffer, filename: string): Promise<ImageBody> {
  const res: Response = await upload(t, user, file, filename);
  if (res.status !== 201) throw new Error(`upload of ${filename} answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** Makes the app's HTTP server listen on a loopback port (for raw node:http clients); returns it. */
export async function listeningPort(t: TestApp): Promise<number> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}
