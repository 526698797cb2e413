import sharp from 'sharp';
import type { Response } from 'supertest';
import { animated, gifJavaScriptPolyglot, jpegWithExifThumbnail, zipOf } from './support/crafted-images';
import { makeImage } from './support/images';
import { expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { Leftovers, leftovers, upload } from './support/uploads';
import { registerUser, TestUser } from './support/users';

/** Issue 12 item 1: nothing but zero padding may follow the image's end (API.md, upload validation step 5). */
describe('POST /images — data after the end of the image (polyglots)', () => {
  let t: TestApp;
  let user: TestUser;
  let before: Leftovers;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    before = await leftovers(t);
  });

  async function expectPolyglotRefused(res: Response, imageLength: number): Promise<void> {
    expectProblem(res, 422, 'IMAGE_CORRUPT');
    expect(res.body.detail).toMatch(/follows the image's end/);
    expect(res.body.detail).toContain(`ends at byte ${imageLength}`);
    await expect(leftovers(t)).resolves.toEqual(before);
  }

  async function expectAccepted(res: Response, file: Buffer, mimeType: string): Promise<void> {
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { data: { size: file.length, mimeType } } });
    await expect(leftovers(t)).resolves.toEqual({ files: [...before.files, `images/${res.body.data.id}`].sort(), rows: before.rows + 1 });
  }

  it('a JPEG with a ZIP appended → 422 IMAGE_CORRUPT, nothing kept', async () => {
    const jpeg = await makeImage('jpeg');
    const res = await upload(t, user, Buffer.concat([jpeg, zipOf('payload.php', '<?php system($_GET["c"]);')]), 'photo.jpg');
    await expectPolyglotRefused(res, jpeg.length);
  });

  it('a PNG with HTML appended → 422 IMAGE_CORRUPT, nothing kept', async () => {
    const png = await makeImage('png');
    const res = await upload(
      t,
      user,
      Buffer.concat([png, Buffer.from('<html><script>alert(document.cookie)</script></html>')]),
      'photo.png',
    );
    await expectPolyglotRefused(res, png.length);
  });

  it('a GIF that is also JavaScript (GIF89a/*…*/=alert(1);//) → 422 IMAGE_CORRUPT, nothing kept', async () => {
    const polyglot = await gifJavaScriptPolyglot();
    expect(polyglot.toString('latin1', 0, 8)).toBe('GIF89a/*');
    const res = await upload(t, user, polyglot, 'anim.gif');
    await expectPolyglotRefused(res, polyglot.length - '*/=alert(1);//'.length);
  });

  it('a WebP with bytes after its RIFF length → 422 IMAGE_CORRUPT, nothing kept', async () => {
    const webp = await makeImage('webp');
    const res = await upload(t, user, Buffer.concat([webp, Buffer.from('<svg onload=alert(1)>')]), 'photo.webp');
    await expectPolyglotRefused(res, webp.length);
  });

  it('one non-zero byte far into zero padding is still data → 422', async () => {
    const png = await makeImage('png');
    const res = await upload(t, user, Buffer.concat([png, Buffer.alloc(70_000), Buffer.from([1])]), 'photo.png');
    await expectPolyglotRefused(res, png.length);
  });

  it.each(['jpeg', 'png', 'gif', 'webp'] as const)('a %s followed by zero padding → 201', async (format) => {
    const file = Buffer.concat([await makeImage(format), Buffer.alloc(4096)]);
    await expectAccepted(await upload(t, user, file, `padded.${format}`), file, `image/${format}`);
  });

  it('a JPEG with an EXIF thumbnail (its own EOI inside APP1) → 201', async () => {
    const { jpeg, thumbnail } = await jpegWithExifThumbnail();
    expect(jpeg.indexOf(Buffer.from([0xff, 0xd9]))).toBeLessThan(jpeg.length - 2);
    expect(jpeg.indexOf(thumbnail)).toBeGreaterThan(0);
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    await expectAccepted(await upload(t, user, jpeg, 'exif.jpg'), jpeg, 'image/jpeg');
  });

  it('a progressive JPEG (many scans) → 201', async () => {
    const jpeg = await sharp(await makeImage('png', 300, 200))
      .jpeg({ progressive: true })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).isProgressive).toBe(true);
    await expectAccepted(await upload(t, user, jpeg, 'progressive.jpg'), jpeg, 'image/jpeg');
  });

  it.each(['gif', 'webp'] as const)('an animated %s → 201', async (format) => {
    const file = await animated(format, 4);
    expect((await sharp(file, { animated: true }).metadata()).pages).toBe(4);
    await expectAccepted(await upload(t, user, file, `animated.${format}`), file, `image/${format}`);
  });
});
