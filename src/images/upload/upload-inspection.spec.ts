import sharp from 'sharp';
import { detectImageFormat, MAGIC_BYTES_LENGTH } from '../formats';
import { scanImageEnd } from '../image-end/scan-image-end';
import { Inspected, UploadInspection } from './upload-inspection';

async function* whole(bytes: Buffer): AsyncIterable<Buffer> {
  yield bytes;
}

/** What the validation pipe reads from the stored bytes: the head, then the walk over all of them. */
async function readAfterwards(bytes: Buffer): Promise<Inspected> {
  const head = bytes.subarray(0, MAGIC_BYTES_LENGTH);
  const format = detectImageFormat(head);
  if (!format?.endOfImage) return { head };
  return { head, end: { format: format.name, scan: await scanImageEnd(whole(bytes), format.endOfImage()) } };
}

function inspectInChunks(bytes: Buffer, size: number): Inspected {
  const inspection = new UploadInspection();
  for (let at = 0; at < bytes.length; at += size) inspection.observe(bytes.subarray(at, at + size));
  return inspection.result();
}

describe('UploadInspection', () => {
  const cases: Array<[string, () => Promise<Buffer>]> = [
    [
      'a JPEG',
      () =>
        sharp({ create: { width: 64, height: 48, channels: 3, background: '#c84' } })
          .jpeg()
          .toBuffer(),
    ],
    [
      'a PNG',
      () =>
        sharp({ create: { width: 40, height: 30, channels: 4, background: '#48c8' } })
          .png()
          .toBuffer(),
    ],
    [
      'a GIF',
      () =>
        sharp({ create: { width: 20, height: 20, channels: 3, background: '#0a0' } })
          .gif()
          .toBuffer(),
    ],
    [
      'a WebP',
      () =>
        sharp({ create: { width: 30, height: 20, channels: 3, background: '#00a' } })
          .webp()
          .toBuffer(),
    ],
    ['a JPEG with a ZIP after it', async () => Buffer.concat([await cases[0][1](), Buffer.from('PK\x03\x04 polyglot')])],
    ['a PNG with zero padding after it', async () => Buffer.concat([await cases[1][1](), Buffer.alloc(5000)])],
    ['a truncated JPEG', async () => (await cases[0][1]()).subarray(0, 300)],
    ['a PNG whose chunk structure breaks', async () => Buffer.concat([(await cases[1][1]()).subarray(0, 40), Buffer.alloc(30, 0xff)])],
    ['bytes of no image type', async () => Buffer.from('plain text, long enough to have a head')],
    ['a file shorter than the magic bytes', async () => Buffer.from([0xff, 0xd8, 0xff])],
  ];

  it.each(cases)('%s: sees, in chunks of any size, exactly what reading the stored bytes afterwards sees', async (_name, make) => {
    const bytes = await make();
    const expected = await readAfterwards(bytes);
    for (const size of [1, 5, 11, 12, 13, 4096, bytes.length]) expect(inspectInChunks(bytes, size)).toEqual(expected);
  });

  it('keeps its own copy of the head, not a view of the chunk it came from', () => {
    const chunk = Buffer.from('\x89PNG\r\n\x1a\n0123456789', 'latin1');
    const inspection = new UploadInspection();
    inspection.observe(chunk);
    chunk.fill(0);
    expect(inspection.result().head.subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  });
});
