import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * s3rver 3.7 implements CreateMultipartUpload, UploadPart and CompleteMultipartUpload, but not
 * ListParts (GET ?uploadId=) or AbortMultipartUpload (DELETE ?uploadId=): it answers them 405
 * MethodNotAllowed. @tus/s3-store needs both (the offset of an upload is the sum of its parts).
 * This adds the two, over s3rver's own part files (`<bucket>/._S3rver_uploads/<uploadId>/<n>`),
 * in front of its router. Test infrastructure only; a real S3 (or MinIO) has them.
 */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
  store: { getResourcePath(bucket: string, key: undefined, resource: string): string };
}

type Middleware = (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

export function addMultipartListAndAbort(server: { middleware: Middleware[] }): void {
  server.middleware.unshift(async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const listing = ctx.method === 'GET' && uploadId && !ctx.query.partNumber;
    if (!match || !uploadId || !(listing || ctx.method === 'DELETE')) return next();
    const [, bucket, key] = match;
    const dir = join(ctx.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    if (!(await stat(dir).catch(() => null))) return noSuchUpload(ctx, uploadId);
    if (ctx.method === 'DELETE') {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    ctx.type = 'application/xml';
    ctx.body = listParts(bucket, decodeURIComponent(key), uploadId, await partsIn(dir));
  });
}

async function partsIn(dir: string): Promise<{ number: number; size: number; etag: string; modified: Date }[]> {
  const numbers = (await readdir(dir)).filter((name) => /^\d+$/.test(name)).map(Number);
  const parts = await Promise.all(
    numbers.map(async (number) => {
      const file = join(dir, String(number));
      const [info, md5] = await Promise.all([stat(file), readFile(`${file}.md5`, 'utf8')]);
      return { number, size: info.size, etag: md5, modified: info.mtime };
    }),
  );
  return parts.sort((a, b) => a.number - b.number);
}

function listParts(bucket: string, key: string, uploadId: string, parts: Awaited<ReturnType<typeof partsIn>>): string {
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${xml(uploadId)}</UploadId>` +
    `<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>${parts.at(-1)?.number ?? 0}</NextPartNumberMarker>` +
    '<MaxParts>10000</MaxParts><IsTruncated>false</IsTruncated>' +
    parts
      .map(
        (p) =>
          `<Part><PartNumber>${p.number}</PartNumber><LastModified>${p.modified.toISOString()}</LastModified>` +
          `<ETag>"${p.etag}"</ETag><Size>${p.size}</Size></Part>`,
      )
      .join('') +
    '</ListPartsResult>'
  );
}

function noSuchUpload(ctx: KoaContext, uploadId: string): void {
  ctx.status = 404;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code>' +
    `<Message>The specified upload does not exist.</Message><UploadId>${uploadId}</UploadId></Error>`;
}
