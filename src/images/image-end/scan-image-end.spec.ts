import sharp from 'sharp';
import { formatNamed, FormatName } from '../formats';
import { EndScan, scanImageEnd } from './scan-image-end';

async function* pieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Scans in chunks of every awkward size, and insists they all agree. */
async function scan(format: FormatName, bytes: Buffer): Promise<EndScan> {
  const results = [];
  for (const size of [1, 2, 3, 7, 64, 65_536]) results.push(await scanImageEnd(pieces(bytes, size), formatNamed(format).endOfImage!()));
  for (const result of results) expect(result).toEqual(results[0]);
  return results[0];
}

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const segment = (marker: number, body: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);

/** SOI, an APP1 holding a whole JPEG (its own SOI…EOI), SOS, entropy data with FF00, RST and fill bytes, EOI. */
const JPEG = Buffer.concat([
  hex('ffd8'),
  segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), hex('ffd8 ffdb0004 ffd9')])),
  segment(0xdb, Buffer.alloc(65, 1)),
  segment(0xda, hex('01 0100 003f00')),
  hex('12 ff00 34 ffd0 56 ff00 ffd7 78'),
  segment(0xda, hex('01 0100 003f00')),
  hex('9a ff00 bc'),
  hex('ffff ffd9'),
]);

describe('scanImageEnd', () => {
  it('JPEG: skips segments by length (an embedded EOI in APP1), crosses FF00 and RST, ends at EOI', async () => {
    await expect(scan('jpeg', JPEG)).resolves.toEqual({ status: 'ok', end: JPEG.length, size: JPEG.length });
  });

  it('zero padding after the end is not data; anything else is, with its offset', async () => {
    const padded = Buffer.concat([JPEG, Buffer.alloc(100_000)]);
    await expect(scan('jpeg', padded)).resolves.toMatchObject({ status: 'ok', end: JPEG.length, size: padded.length });
    const zip = Buffer.concat([JPEG, Buffer.alloc(5), Buffer.from('PK\x03\x04')]);
    await expect(scan('jpeg', zip)).resolves.toEqual({ status: 'trailing', end: JPEG.length, trailingAt: JPEG.length + 5 });
  });

  it('a JPEG without EOI is truncated; a segment length under 2 is malformed', async () => {
    await expect(scan('jpeg', JPEG.subarray(0, JPEG.length - 2))).resolves.toMatchObject({ status: 'truncated' });
    await expect(scan('jpeg', Buffer.concat([hex('ffd8 ffdb 0001'), Buffer.alloc(10)]))).resolves.toMatchObject({ status: 'malformed' });
  });

  it('PNG: ends after IEND and its CRC', async () => {
    const png = await sharp({ create: { width: 3, height: 2, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    await expect(scan('png', png)).resolves.toEqual({ status: 'ok', end: png.length, size: png.length });
    const html = Buffer.concat([png, Buffer.from('<html><script>alert(1)</script>')]);
    await expect(scan('png', html)).resolves.toEqual({ status: 'trailing', end: png.length, trailingAt: png.length });
    await expect(scan('png', png.subarray(0, png.length - 1))).resolves.toMatchObject({ status: 'truncated' });
  });

  it('GIF: walks extensions, image descriptors and sub-blocks (a 0x3B inside them is not the trailer)', async () => {
    const gif = Buffer.concat([
      Buffer.from('GIF89a'),
      hex('0100 0100 80 00 00'),
      hex('000000 3b3b3b'),
      hex('21f9 04 003b0000 00'),
      hex('21fe 03 3b3b3b 02 3b3b 00'),
      hex('2c 0000 0000 0100 0100 00'),
      hex('02 02 3b3b 00'),
      hex('3b'),
    ]);
    await expect(scan('gif', gif)).resolves.toEqual({ status: 'ok', end: gif.length, size: gif.length });
    const js = Buffer.concat([gif, Buffer.from('*/=alert(1);//')]);
    await expect(scan('gif', js)).resolves.toMatchObject({ status: 'trailing', trailingAt: gif.length });
    await expect(scan('gif', Buffer.concat([gif.subarray(0, gif.length - 1), Buffer.from('<')]))).resolves.toMatchObject({
      status: 'malformed',
    });
  });

  it('WebP: ends at the RIFF size + 8; an odd size leaves a zero pad byte', async () => {
    const webp = await sharp({ create: { width: 3, height: 2, channels: 3, background: 'red' } })
      .webp()
      .toBuffer();
    await expect(scan('webp', webp)).resolves.toEqual({ status: 'ok', end: webp.length, size: webp.length });
    await expect(scan('webp', Buffer.concat([webp, Buffer.from('PK')]))).resolves.toMatchObject({
      status: 'trailing',
      trailingAt: webp.length,
    });
    await expect(scan('webp', webp.subarray(0, webp.length - 1))).resolves.toMatchObject({ status: 'truncated' });
  });

  it('scans a 3 MB noisy JPEG (many FF00) to its end, and reports its cost per MB beside a full decode', async () => {
    const width = 1600;
    const raw = Buffer.alloc(width * width * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    const jpeg = await sharp(raw, { raw: { width, height: width, channels: 3 } })
      .jpeg({ quality: 100 })
      .toBuffer();
    const started = process.hrtime.bigint();
    const rounds = 5;
    for (let i = 0; i < rounds; i++)
      expect((await scanImageEnd(pieces(jpeg, 65_536), formatNamed('jpeg').endOfImage!())).status).toBe('ok');
    const scanNs = Number(process.hrtime.bigint() - started) / rounds;
    const decodeStarted = process.hrtime.bigint();
    await sharp(jpeg).raw().toBuffer();
    const decodeNs = Number(process.hrtime.bigint() - decodeStarted);
    const mb = jpeg.length / 1024 ** 2;
    process.stdout.write(
      `end scan: ${mb.toFixed(1)} MB JPEG in ${(scanNs / 1e6).toFixed(1)} ms (${(scanNs / 1e6 / mb).toFixed(2)} ms/MB); full decode ${(decodeNs / 1e6).toFixed(0)} ms\n`,
    );
  });
});
