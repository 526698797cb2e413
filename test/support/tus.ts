import { createHash } from 'node:crypto';
import sharp from 'sharp';
import * as tus from 'tus-js-client';
import { TestApp } from './test-app';
import { TestUser } from './users';

/** Raw tus 1.0.0 requests through `t.http` (so every answer is checked against the spec). */
export const TUS = { 'Tus-Resumable': '1.0.0' };
const CHUNK_TYPE = 'application/offset+octet-stream';

export function tusMetadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

export function tusCreate(t: TestApp, user: TestUser, length: number, filename: string, firstChunk?: Buffer) {
  const req = t.http
    .post('/uploads')
    .set(user.auth)
    .set(TUS)
    .set('Upload-Length', String(length))
    .set('Upload-Metadata', tusMetadata({ filename, filetype: 'application/octet-stream' }));
  return firstChunk ? req.set('Content-Type', CHUNK_TYPE).send(firstChunk) : req;
}

export function tusPatch(t: TestApp, user: TestUser, location: string, offset: number, chunk: Buffer) {
  return t.http.patch(location).set(user.auth).set(TUS).set('Upload-Offset', String(offset)).set('Content-Type', CHUNK_TYPE).send(chunk);
}

export function tusHead(t: TestApp, user: TestUser, location: string) {
  return t.http.head(location).set(user.auth).set(TUS);
}

/** Creates an upload and sends `file` in chunks of `chunkSize`; returns the last answer. */
export async function tusUpload(t: TestApp, user: TestUser, file: Buffer, filename: string, chunkSize = 64 * 1024) {
  const created = await tusCreate(t, user, file.length, filename).expect(201);
  const location = created.headers.location as string;
  let offset = 0;
  for (;;) {
    const chunk = file.subarray(offset, offset + chunkSize);
    const res = await tusPatch(t, user, location, offset, chunk);
    if (res.status !== 204 || offset + chunk.length === file.length) return { res, location };
    offset = Number(res.headers['upload-offset']);
  }
}

/** A HEAD problem: its status and problem+json type (a HEAD answer has no body). */
export function expectHeadProblem(res: { status: number; headers: Record<string, string | undefined> }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-request-id']).toBeTruthy();
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function resumableRows(t: TestApp): Promise<number> {
  const rows: { n: number | string }[] = await t.dataSource.query('SELECT COUNT(*) AS n FROM resumable_uploads');
  return Number(rows[0].n);
}

const MB = 1024 * 1024;

/** A PNG of noise (stored, not compressed) of about `megabytes`: within MAX_IMAGE_PIXELS and the decode budget. */
export async function noisePng(megabytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt((megabytes * MB) / 3));
  return sharp({
    create: { width: side, height: side, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

/** What a tus-js-client run saw: the offsets its HEADs were told, and the Image-Location it got. */
export interface TusClientRun {
  heads: number[];
  imageLocation: string | null;
}

/** What `runTusClient`'s options may use: the upload itself (to pause and restart it) and a way to fail the run. */
export interface TusClientControl {
  upload(): tus.Upload;
  fail(error: unknown): void;
}

/** Runs tus-js-client (unedited) with `options` to the end; resolves when it succeeds, rejects with its error. */
export async function runTusClient(file: Buffer, options: (control: TusClientControl) => tus.UploadOptions): Promise<TusClientRun> {
  const run: TusClientRun = { heads: [], imageLocation: null };
  await new Promise<void>((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(file, {
      ...options({ upload: () => upload, fail: reject }),
      onAfterResponse: (req, res) => {
        if (req.getMethod() === 'HEAD') run.heads.push(Number(res.getHeader('Upload-Offset')));
        run.imageLocation = res.getHeader('Image-Location') ?? run.imageLocation;
      },
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
  return run;
}
