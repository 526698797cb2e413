import type { Request } from 'express';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ErrorCode } from '../../common/errors';
import { LocalDiskStorage } from '../../storage/local-disk.storage';
import { FileTooLargeError } from '../images.errors';
import { MultipartReceiver } from './multipart-receiver';
import { inlineBudget } from './inline-bytes';

const BOUNDARY = 'unitboundary';

/** A multipart body of these parts: `[field, filename | undefined, content]`. */
function multipartBody(parts: [string, string | undefined, Buffer | string][], end = true): Buffer {
  const chunks = parts.flatMap(([field, filename, content]) => [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`,
    content,
    '\r\n',
  ]);
  if (end) chunks.push(`--${BOUNDARY}--\r\n`);
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/** What the receiver reads of an IncomingMessage: a stream with headers, `is()` and `complete`. */
function fakeRequest(body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`, chunkSize = 1000): Request {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunkSize) chunks.push(body.subarray(i, i + chunkSize));
  const req = Readable.from(chunks, { objectMode: false }) as Readable & Partial<Request> & { complete: boolean };
  req.headers = { 'content-type': contentType, 'content-length': String(body.length) };
  req.is = ((type: string) => (contentType.startsWith(type) ? type : false)) as Request['is'];
  req.complete = false;
  req.once('end', () => (req.complete = true));
  return req as unknown as Request;
}

describe('MultipartReceiver (a fake request, a real LocalDiskStorage)', () => {
  let root: string;
  let storage: LocalDiskStorage;
  const limit = (bytes: number) => ({ bytes, exceeded: () => new FileTooLargeError(bytes) });
  const stored = () => {
    try {
      return readdirSync(join(root, 'tmp'));
    } catch {
      return [];
    }
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'multipart-receiver-'));
    storage = new LocalDiskStorage(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a small file in memory as well, for its decode; a refused or discarded one keeps nothing', async () => {
    const before = inlineBudget.bytesInUse;
    const content = Buffer.alloc(5000, 9);
    const receiver = new MultipartReceiver(storage, limit(10_000));
    const received = await receiver.receive(fakeRequest(multipartBody([['file', 'photo.png', content]])));
    expect(received!.inspected!.inline!.bytes()!.equals(content)).toBe(true);
    expect(inlineBudget.bytesInUse - before).toBe(5000);
    await receiver.discard();
    expect(inlineBudget.bytesInUse).toBe(before);
    const tooLarge = new MultipartReceiver(storage, limit(3000)).receive(fakeRequest(multipartBody([['file', 'photo.png', content]])));
    await expect(tooLarge).rejects.toMatchObject({ code: ErrorCode.FILE_TOO_LARGE });
    expect(inlineBudget.bytesInUse).toBe(before);
  });

  it('streams the file part to a temporary key, with its size, SHA-256 and sanitised name', async () => {
    const content = Buffer.alloc(5000, 7);
    const received = await new MultipartReceiver(storage, limit(10_000)).receive(
      fakeRequest(multipartBody([['file', '../../etc/photo\u202Egnp.png', content]])),
    );
    expect(received).toMatchObject({ filename: 'photognp.png', size: 5000, tempKey: expect.stringMatching(/^tmp\//) });
    expect(received!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored()).toHaveLength(1);
  });

  it('accepts a file of exactly the limit and refuses one byte more, leaving nothing', async () => {
    await expect(
      new MultipartReceiver(storage, limit(100)).receive(fakeRequest(multipartBody([['file', 'a.png', Buffer.alloc(100)]]))),
    ).resolves.toMatchObject({ size: 100 });
    rmSync(join(root, 'tmp'), { recursive: true });
    await expect(
      new MultipartReceiver(storage, limit(100)).receive(fakeRequest(multipartBody([['file', 'a.png', Buffer.alloc(101)]]))),
    ).rejects.toBeInstanceOf(FileTooLargeError);
    expect(stored()).toEqual([]);
  });

  it('names the field when the file came in another one', async () => {
    const error = await new MultipartReceiver(storage, limit(100))
      .receive(fakeRequest(multipartBody([['image', 'a.png', 'x']])))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.FILE_REQUIRED, detail: expect.stringContaining("not 'image'") });
  });

  it('refuses a second file, a body that is not multipart, and one without a boundary', async () => {
    const two = multipartBody([
      ['file', 'a.png', 'x'],
      ['file', 'b.png', 'y'],
    ]);
    await expect(new MultipartReceiver(storage, limit(100)).receive(fakeRequest(two))).rejects.toMatchObject({
      code: ErrorCode.TOO_MANY_FILES,
    });
    await expect(
      new MultipartReceiver(storage, limit(100)).receive(fakeRequest(Buffer.from('{}'), 'application/json')),
    ).rejects.toMatchObject({
      code: ErrorCode.FILE_REQUIRED,
    });
    await expect(
      new MultipartReceiver(storage, limit(100)).receive(fakeRequest(Buffer.from('x'), 'multipart/form-data')),
    ).rejects.toMatchObject({
      code: ErrorCode.MALFORMED_MULTIPART,
    });
    expect(stored()).toEqual([]);
  });

  it('a body cut before its closing boundary is malformed and leaves nothing', async () => {
    const cut = multipartBody([['file', 'a.png', Buffer.alloc(3000)]], false).subarray(0, 2000);
    await expect(new MultipartReceiver(storage, limit(10_000)).receive(fakeRequest(cut))).rejects.toMatchObject({
      code: ErrorCode.MALFORMED_MULTIPART,
    });
    expect(stored()).toEqual([]);
  });

  it('a client that goes away mid-body is CLIENT_CLOSED_REQUEST and leaves nothing', async () => {
    const req = fakeRequest(multipartBody([['file', 'a.png', Buffer.alloc(50_000)]]), undefined, 100);
    let sent = 0;
    req.on('data', () => ++sent === 20 && (req as unknown as Readable).destroy());
    await expect(new MultipartReceiver(storage, limit(100_000)).receive(req)).rejects.toMatchObject({
      code: ErrorCode.CLIENT_CLOSED_REQUEST,
    });
    expect(stored()).toEqual([]);
  });
});
