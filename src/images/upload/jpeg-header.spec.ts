import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import sharp from 'sharp';
import { fixtureImages } from '../../../test/support/fixture-images';
import { GOEXIF_DIR, IMAGING_DIR, filesIn, requireExifFixtures } from '../../../test/support/exif-fixtures';
import { HeaderMetadata, plainJpegHeader } from './jpeg-header';

/** The fields plainJpegHeader answers for, as sharp reports them. */
async function sharpHeader(bytes: Buffer): Promise<HeaderMetadata> {
  const meta = await sharp(bytes).metadata();
  const fields = ['format', 'width', 'height', 'pageHeight', 'pages', 'channels', 'depth', 'space', 'orientation', 'exif'] as const;
  return Object.fromEntries(fields.filter((f) => meta[f] !== undefined).map((f) => [f, meta[f]])) as HeaderMetadata;
}

/** A baseline JPEG from sharp, EXIF orientation and all, with `edit` applied to its bytes. */
async function jpeg(options: { width?: number; height?: number; orientation?: number; grey?: boolean } = {}): Promise<Buffer> {
  const { width = 40, height = 30, orientation, grey } = options;
  let image = sharp({ create: { width, height, channels: 3, background: '#3a7' } });
  if (grey) image = image.toColourspace('b-w');
  if (orientation) image = image.withMetadata({ orientation });
  return image.jpeg().toBuffer();
}

/** The offset of the first marker `code` in a JPEG's header segments. */
function markerAt(bytes: Buffer, code: number): number {
  for (let at = 2; at + 4 <= bytes.length; at += 2 + bytes.readUInt16BE(at + 2)) if (bytes[at + 1] === code) return at;
  throw new Error(`no marker ${code.toString(16)}`);
}

describe('plainJpegHeader', () => {
  describe('agrees with sharp wherever it answers, on real JPEGs made by others', () => {
    requireExifFixtures();
    const files = [...fixtureImages().filter((path) => /\.jpe?g$/i.test(extname(path))), ...filesIn(IMAGING_DIR), ...filesIn(GOEXIF_DIR)];

    it('covers baseline, progressive, grey, CMYK and EXIF-oriented photos', () => {
      expect(files.length).toBeGreaterThan(30);
    });

    it.each(files)('%s', async (path) => {
      const bytes = readFileSync(path);
      const header = plainJpegHeader(bytes);
      if (header) expect(header).toEqual(await sharpHeader(bytes));
    });

    it('answers for most of them: every 3-component 8-bit one with plain EXIF', () => {
      const answered = files.filter((path) => plainJpegHeader(readFileSync(path)) !== undefined);
      expect(answered.length).toBeGreaterThan(files.length * 0.8);
    });
  });

  describe("agrees with sharp on cameras' own EXIF blocks (goexif's samples: headers cut from camera JPEGs, here put into a whole one)", () => {
    requireExifFixtures();
    const samples = filesIn(`${GOEXIF_DIR}/samples`);
    let answered = 0;

    it.each(samples)('%s', async (path) => {
      const camera = readFileSync(path);
      const app1 = markerAt(camera, 0xe1);
      const segment = camera.subarray(app1, app1 + 2 + camera.readUInt16BE(app1 + 2));
      const plain = await jpeg({ width: 48, height: 20 });
      const bytes = Buffer.concat([plain.subarray(0, 2), segment, plain.subarray(2)]);
      const header = plainJpegHeader(bytes);
      if (header) {
        answered += 1;
        expect(header).toEqual(await sharpHeader(bytes));
      }
    });

    it('answers for most of them', () => {
      expect(samples.length).toBeGreaterThan(40);
      expect(answered).toBeGreaterThan(samples.length * 0.8);
    });
  });

  it('never throws on damaged JPEGs (its input is an upload), and agrees with sharp where both still answer', async () => {
    requireExifFixtures();
    const seeds = [`${IMAGING_DIR}/orientation_6.jpg`, `${GOEXIF_DIR}/sample1.jpg`, await jpeg({ orientation: 3 })].map((s) =>
      typeof s === 'string' ? readFileSync(s) : s,
    );
    // A fixed sequence: the same damaged files on every run.
    let state = 20261130;
    const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    let answered = 0;
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length];
      const bytes = Buffer.from(seed.subarray(0, random() < 0.1 ? Math.floor(random() * seed.length) : seed.length));
      // Bytes changed in the header segments, where this reads.
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) bytes[Math.floor(random() * Math.min(bytes.length, 2000))] = random() * 256;
      const header = plainJpegHeader(bytes);
      if (!header) continue;
      answered += 1;
      if (i % 25) continue;
      const expected = await sharpHeader(bytes).catch(() => undefined);
      if (!expected) continue;
      compared += 1;
      expect(header).toEqual(expected);
    }
    expect(answered).toBeGreaterThan(1000);
    expect(compared).toBeGreaterThan(40);
  });

  it('reads each EXIF orientation as sharp does', async () => {
    for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const bytes = await jpeg({ orientation });
      expect(plainJpegHeader(bytes)).toEqual(await sharpHeader(bytes));
      expect(plainJpegHeader(bytes)?.orientation).toBe(orientation);
    }
    const plain = await jpeg();
    expect(plainJpegHeader(plain)).toEqual({ format: 'jpeg', width: 40, height: 30, channels: 3, depth: 'uchar', space: 'srgb' });
  });

  it('leaves anything not plain to sharp', async () => {
    const oriented = await jpeg({ orientation: 6 });
    // IFD0's orientation entry as sharp writes it (little-endian "II" EXIF): tag 0x0112, SHORT, count 1, value 6.
    const orientationEntry = oriented.indexOf(Buffer.from([0x12, 0x01, 0x03, 0x00, 1, 0, 0, 0, 6, 0]));
    expect(orientationEntry).toBeGreaterThan(markerAt(oriented, 0xe1));
    const withValue = (value: number) => {
      const copy = Buffer.from(oriented);
      copy.writeUInt16LE(value, orientationEntry + 8);
      return copy;
    };
    const sof = markerAt(oriented, 0xc0);
    const cases: Record<string, Buffer> = {
      grey: await jpeg({ grey: true }),
      'orientation 0': withValue(0),
      'orientation 9': withValue(9),
      '12-bit': Buffer.concat([oriented.subarray(0, sof + 4), Buffer.from([12]), oriented.subarray(sof + 5)]),
      'an arithmetic-coded frame': Buffer.concat([oriented.subarray(0, sof + 1), Buffer.from([0xc9]), oriented.subarray(sof + 2)]),
      'a stray byte between segments': Buffer.concat([oriented.subarray(0, sof), Buffer.from([0x00]), oriented.subarray(sof)]),
      'a segment longer than the file': oriented.subarray(0, sof + 6),
      'two EXIF blocks': Buffer.concat([
        oriented.subarray(0, markerAt(oriented, 0xe1)),
        oriented.subarray(markerAt(oriented, 0xe1), markerAt(oriented, 0xe1) + 2 + oriented.readUInt16BE(markerAt(oriented, 0xe1) + 2)),
        oriented.subarray(markerAt(oriented, 0xe1)),
      ]),
      'not a JPEG': Buffer.from('GIF89a and more bytes'),
    };
    for (const [name, bytes] of Object.entries(cases)) expect([name, plainJpegHeader(bytes)]).toEqual([name, undefined]);
  });
});
