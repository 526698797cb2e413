import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';
import { MetadataBackfill } from '../src/images/metadata/metadata-backfill';
import { GOEXIF_DIR, IMAGING_DIR, exifSegment, exiftool, filesIn, requireExifFixtures, withExifSegment } from './support/exif-fixtures';
import { fixtureImages, isIntentionallyInvalid } from './support/fixture-images';
import { binary } from './support/binary';
import { ensureBuilt } from './support/server-process';
import { createTestApp, TEST_JWT_SECRET, TEST_SECRET_KEY, TestApp } from './support/test-app';
import { ImageBody, upload, uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

requireExifFixtures();

/** exiftool's `2003:11:23 18:07:37` (+ `+02:00`) as the instant the API reports. */
function expectedTakenAt(tags: Record<string, unknown>): string | null {
  const [raw, offset] = tags.DateTimeOriginal
    ? [tags.DateTimeOriginal, tags.OffsetTimeOriginal]
    : [tags.CreateDate, tags.OffsetTimeDigitized];
  const match = typeof raw === 'string' ? /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(raw.trim()) : null;
  if (!match || match[1] === '0000') return null;
  const local = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]);
  const off = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset) : null;
  const minutes = off ? (off[1] === '-' ? -1 : 1) * (+off[2] * 60 + +off[3]) : 0;
  return new Date(local - minutes * 60_000).toISOString();
}

/** Make and model as exiftool reads them, the make not repeated when the model starts with it. */
function expectedCamera(tags: Record<string, unknown>): string | null {
  const clean = (v: unknown) => (v === undefined ? '' : String(v).replace(/\s+/g, ' ').trim());
  const make = clean(tags.Make);
  const model = clean(tags.Model);
  if (!model) return make || null;
  return !make || model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
}

const PLACEHOLDER = /^[A-Za-z0-9+/]+={0,2}$/;

describe('image metadata: placeholders, colour, EXIF, displayed size', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('takenAt and camera equal what exiftool reads, for real camera EXIF (goexif, Debian)', () => {
    const canvas = sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const samples = [join(GOEXIF_DIR, 'sample1.jpg'), ...filesIn(`${GOEXIF_DIR}/samples`)];

    it('has the samples', () => {
      expect(samples.length).toBeGreaterThan(50);
    });

    it.each(samples.map((path) => [basename(path), path]))('%s', async (_name, path) => {
      const original = readFileSync(path);
      // Most samples are EXIF headers cut from camera files: their segment goes into a whole JPEG.
      const whole = (await sharp(original)
        .raw()
        .toBuffer()
        .then(
          () => true,
          () => false,
        ))
        ? original
        : withExifSegment(await canvas, exifSegment(original)!);
      const tags = exiftool(whole, ['Make', 'Model', 'DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTimeDigitized']);
      const image = await uploadImage(t, user, whole, basename(path));
      expect({ takenAt: image.takenAt, camera: image.camera }).toEqual({ takenAt: expectedTakenAt(tags), camera: expectedCamera(tags) });
    });

    it('found dates and cameras in most of them (the comparison is not null against null)', async () => {
      const res = await t.http.get('/images?limit=100').set(user.auth).expect(200);
      const rows = res.body.data as ImageBody[];
      expect(rows.filter((r) => r.camera).length).toBeGreaterThan(40);
      expect(rows.filter((r) => r.takenAt).length).toBeGreaterThan(40);
      expect(rows.find((r) => r.filename === 'sample1.jpg')).toMatchObject({
        camera: 'NIKON CORPORATION NIKON D2H',
        takenAt: '2003-11-23T18:07:37.000Z',
      });
    });
  });

  describe('a broken EXIF block never fails an upload that decodes', () => {
    it("goexif's corrupt/infinite_loop_exif.jpg is stored, its metadata computed", async () => {
      const image = await uploadImage(t, user, readFileSync(`${GOEXIF_DIR}/corrupt/infinite_loop_exif.jpg`), 'loop.jpg');
      expect(image).toMatchObject({ width: 8, height: 8, frames: 1, animated: false });
      expect(image.thumbhash).toMatch(PLACEHOLDER);
    });

    it('an Exif segment of garbage is stored with takenAt and camera null', async () => {
      const garbage = Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\xff\xff\xff\xf0', 'latin1'), Buffer.alloc(64, 0xee)]);
      const segment = Buffer.concat([Buffer.from([0xff, 0xe1, 0, garbage.length + 2]), garbage]);
      const jpeg = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#102030' } })
        .jpeg()
        .toBuffer();
      const res = await upload(t, user, withExifSegment(jpeg, segment), 'garbage-exif.jpg');
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ takenAt: null, camera: null, width: 20, height: 10 });
    });
  });

  describe('width/height as displayed (imaging orientation_0…8, Debian)', () => {
    const files = filesIn(IMAGING_DIR, /^orientation_\d\.jpg$/);

    it('every orientation shows the same 50×70 picture, and its placeholder is that picture', async () => {
      expect(files).toHaveLength(9);
      const images = [];
      for (const path of files) images.push(await uploadImage(t, user, readFileSync(path), basename(path)));
      for (const image of images)
        expect({ name: image.filename, width: image.width, height: image.height }).toEqual({ name: image.filename, width: 50, height: 70 });
      const pictures = images.map((image) => thumbHashToRGBA(Buffer.from(image.thumbhash!, 'base64')));
      for (const picture of pictures) {
        expect(thumbHashToApproximateAspectRatio(Buffer.from(images[0].thumbhash!, 'base64'))).toBeLessThan(1);
        expect(meanDifference(picture.rgba, pictures[0].rgba)).toBeLessThan(12);
      }
    });
  });

  it('a row stored before orientations were kept (orientation null, size as stored) turns to the displayed size on its first variant', async () => {
    const image = await uploadImage(t, user, readFileSync(join(IMAGING_DIR, 'orientation_6.jpg')), 'legacy.jpg');
    await t.dataSource.query('UPDATE images SET orientation = NULL, width = 70, height = 50 WHERE id = ?', [image.id]);
    // The original and a link to it transform nothing: the row stays as it was until a variant needs the orientation.
    await t.http.get(`/images/${image.id}/content`).set(user.auth).expect(200);
    await t.http.post(`/images/${image.id}/links`).set(user.auth).send({}).expect(201);
    await t.http
      .get(`/images/${image.id}`)
      .set(user.auth)
      .expect(200)
      .expect((r) => expect(r.body.data).toMatchObject({ width: 70, height: 50 }));
    const variant = await t.http.get(`/images/${image.id}/content?h=35&format=png`).set(user.auth).buffer(true).parse(binary);
    expect(variant.status).toBe(200);
    await expect(sharp(variant.body).metadata()).resolves.toMatchObject({ width: 25, height: 35 });
    const res = await t.http.get(`/images/${image.id}`).set(user.auth).expect(200);
    expect(res.body.data).toMatchObject({ width: 50, height: 70 });
  });

  describe('thumbhash, dominantColor, animated and frames', () => {
    it('a solid colour: its ThumbHash averages to it, and it is the dominant colour', async () => {
      const png = await sharp({ create: { width: 300, height: 150, channels: 3, background: '#3366cc' } })
        .png()
        .toBuffer();
      const image = await uploadImage(t, user, png, 'blue.png');
      expect(image.dominantColor).toBe('#3366cc');
      const avg = thumbHashToAverageRGBA(Buffer.from(image.thumbhash!, 'base64'));
      expect([avg.r * 255, avg.g * 255, avg.b * 255].map(Math.round)).toEqual([0x33, 0x66, 0xcc].map((c) => expect.closeTo(c, -1)));
      expect(thumbHashToApproximateAspectRatio(Buffer.from(image.thumbhash!, 'base64'))).toBeCloseTo(2, 0);
    });

    it('transparent pixels do not count: a mostly transparent PNG with an opaque green patch is green', async () => {
      const patch = await sharp({ create: { width: 30, height: 30, channels: 4, background: '#00c000ff' } })
        .png()
        .toBuffer();
      const png = await sharp({ create: { width: 100, height: 100, channels: 4, background: '#ff000000' } })
        .composite([{ input: patch, left: 0, top: 0 }])
        .png()
        .toBuffer();
      expect((await uploadImage(t, user, png, 'patch.png')).dominantColor).toBe('#00c000');
    });

    it('an animated GIF counts its frames', async () => {
      const frames = 3;
      const colours = ['#ff0000', '#00ff00', '#0000ff'];
      const pngs = await Promise.all(
        colours.map((background) =>
          sharp({ create: { width: 16, height: 16, channels: 3, background } })
            .png()
            .toBuffer(),
        ),
      );
      const gif = await sharp(pngs, { join: { animated: true } })
        .gif()
        .toBuffer();
      const image = await uploadImage(t, user, gif, 'anim.gif');
      expect(image).toMatchObject({ animated: true, frames, width: 16, height: 16 });
    });
  });

  describe("Go's test images (Debian): the upload and the backfill give the same metadata", () => {
    const files = fixtureImages().filter((path) => !isIntentionallyInvalid(path));
    let owner: TestUser;
    const uploaded = new Map<string, ImageBody>();

    beforeAll(async () => {
      owner = await registerUser(t);
      for (const path of files) {
        const res = await upload(t, owner, readFileSync(path), basename(path));
        if (res.status === 201) uploaded.set(res.body.data.id, res.body.data);
      }
    });

    it('every uploaded image has a placeholder, a colour and its frame count (GIF: as exiftool counts)', async () => {
      expect(uploaded.size).toBeGreaterThan(100);
      for (const [, image] of uploaded) {
        expect(image.thumbhash).toMatch(PLACEHOLDER);
        expect(image.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
        expect(image.animated).toBe(image.frames! > 1);
        // ThumbHash keeps the aspect ratio roughly, and only up to about 1:4 (PngSuite has 1×16 images).
        const aspect = Math.min(4, Math.max(1 / 4, image.width / image.height));
        const ratio = thumbHashToApproximateAspectRatio(Buffer.from(image.thumbhash!, 'base64'));
        expect({ name: image.filename, ratio: Math.abs(Math.log(ratio / aspect)) < 0.7 }).toEqual({ name: image.filename, ratio: true });
      }
      const gifs = files.filter((p) => p.endsWith('.gif'));
      const animated = [];
      for (const path of gifs) {
        const image = [...uploaded.values()].find((i) => i.filename === basename(path));
        if (!image) continue;
        const tags = exiftool(readFileSync(path), ['FrameCount']);
        expect({ name: image.filename, frames: image.frames }).toEqual({ name: image.filename, frames: Number(tags.FrameCount ?? 1) });
        if (image.animated) animated.push(image.filename);
      }
      process.stdout.write(`metadata: ${uploaded.size} Go fixtures; animated GIFs: ${animated.join(', ') || 'none'}\n`);
    });

    it('the backfill computes the same for rows stored before (metadata null, size as stored), and a second run does nothing', async () => {
      await t.dataSource.query(
        'UPDATE images SET thumbhash = NULL, dominant_color = NULL, taken_at = NULL, camera = NULL, frames = NULL, orientation = NULL WHERE owner_id = ?',
        [owner.id],
      );
      const backfill = t.app.get(MetadataBackfill);
      const progress: number[] = [];
      const result = await backfill.run({ batchSize: 7, concurrency: 2, onProgress: (p) => progress.push(p.filled) });
      expect(result.failed).toEqual([]);
      expect(result.filled).toBe(result.total);
      expect(progress.length).toBeGreaterThan(1);
      for (const [id, before] of uploaded) {
        const res = await t.http.get(`/images/${id}`).set(owner.auth).expect(200);
        expect(res.body.data).toEqual(before);
      }
      await expect(backfill.run({ batchSize: 7, concurrency: 2 })).resolves.toEqual({ total: 0, filled: 0, failed: [] });
    });

    it('runs as a command (npm run images:backfill), printing its progress; an image without bytes is reported and stays null', async () => {
      ensureBuilt();
      const ids = [...uploaded.keys()].slice(0, 3);
      const broken = await uploadImage(t, owner, readFileSync(files[0]), 'bytes-gone.png');
      await t.storage.delete(`images/${broken.id}`);
      await t.dataSource.query(`UPDATE images SET thumbhash = NULL WHERE id IN (?, ?, ?, ?)`, [...ids, broken.id]);
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: t.database.url,
        UPLOAD_DIR: t.uploadDir,
        STORAGE_DRIVER: t.s3 ? 's3' : 'local',
        ...t.s3?.env,
        JWT_SECRET_KEY: TEST_JWT_SECRET,
        SECRET_KEY: TEST_SECRET_KEY,
        LOG_LEVEL: 'silent',
      };
      const run = () =>
        promisify(execFile)('node', ['dist/cli/backfill-metadata.js', '--batch=2'], { env, encoding: 'utf8' }).then(
          (r) => ({ code: 0, stdout: r.stdout }),
          (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
        );
      const first = await run();
      expect(first.stdout).toContain('backfill: 2/4 images');
      expect(first.stdout).toContain(`done in`);
      expect(first.stdout).toContain(`3 filled, 1 failed`);
      expect(first.stdout).toContain(broken.id);
      expect(first.code).toBe(2);
      for (const id of ids) expect((await t.http.get(`/images/${id}`).set(owner.auth)).body.data).toEqual(uploaded.get(id));
      const second = await run();
      expect(second.stdout).toContain('backfill: 1/1 images (0 filled, 1 failed)');
    });
  });
});

function meanDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
