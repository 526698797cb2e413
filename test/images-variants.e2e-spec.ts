import sharp from 'sharp';
import { DecodedSources } from '../src/images/variants/decoded-sources';
import { ImageTransformer } from '../src/images/variants/image-transformer';
import { makeImage } from './support/images';
import { sampleValue } from './support/metrics';
import { expectProblem } from './support/problem-details';
import { TestApp, createTestApp, listFiles, storedFiles } from './support/test-app';
import { TestUser, registerUser } from './support/users';
import { decoded, exifRotatedJpeg, getBytes, variantFiles, variantRows } from './support/variants';
import { uploadImage } from './support/uploads';

describe('derived images (GET /images/{id}/content?w=&h=&fit=&format=&q=)', () => {
  let t: TestApp;
  let owner: TestUser;
  let jpeg: Buffer;
  let jpegId: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerUser(t);
    jpeg = await makeImage('jpeg', 64, 48);
    jpegId = (await uploadImage(t, owner, jpeg, 'photo.jpg')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const content = (id: string, query: string) => getBytes(t, `/images/${id}/content?${query}`, owner.auth);

  it.each([
    ['cover', 32, 32],
    ['contain', 32, 32],
    ['inside', 32, 24],
    ['outside', 43, 32],
    ['fill', 32, 32],
  ])('fits a 64×48 image into 32×32 with fit=%s as %i×%i', async (fit, width, height) => {
    const res = await content(jpegId, `w=32&h=32&fit=${fit}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    await expect(decoded(res.body)).resolves.toMatchObject({ format: 'jpeg', width, height });
  });

  it('resizes by one side, keeping the aspect ratio (fit inside by default)', async () => {
    const res = await content(jpegId, 'w=16');
    expect(res.status).toBe(200);
    await expect(decoded(res.body)).resolves.toMatchObject({ width: 16, height: 12 });
  });

  it.each([
    ['jpeg', 'image/jpeg', 'jpeg'],
    ['png', 'image/png', 'png'],
    ['webp', 'image/webp', 'webp'],
    ['avif', 'image/avif', 'heif'],
  ])('converts to format=%s', async (format, mimeType, sharpFormat) => {
    const pngId = (await uploadImage(t, owner, await makeImage('png', 40, 30), `drawing-${format}.png`)).id;
    const res = await content(pngId, `format=${format}&w=20`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(mimeType);
    expect(res.headers['content-length']).toBe(String(res.body.length));
    await expect(decoded(res.body)).resolves.toMatchObject({ format: sharpFormat, width: 20, height: 15 });
  });

  it("keeps the original's format when none is asked for (a GIF stays a GIF)", async () => {
    const gifId = (await uploadImage(t, owner, await makeImage('gif', 40, 30), 'anim.gif')).id;
    const res = await content(gifId, 'w=20');
    expect(res.headers['content-type']).toBe('image/gif');
    await expect(decoded(res.body)).resolves.toMatchObject({ format: 'gif', width: 20, height: 15 });
  });

  it('applies the EXIF orientation and strips all metadata', async () => {
    const fixture = await exifRotatedJpeg(64, 48);
    await expect(decoded(fixture)).resolves.toMatchObject({ width: 64, height: 48, orientation: 6 });
    const rotatedId = (await uploadImage(t, owner, fixture, 'portrait.jpg')).id;
    for (const [query, width, height] of [
      ['w=24', 24, 32],
      ['format=webp', 48, 64],
    ] as const) {
      const res = await content(rotatedId, query);
      expect(res.status).toBe(200);
      const meta = await decoded(res.body);
      expect({ width: meta.width, height: meta.height }).toEqual({ width, height });
      expect({ exif: meta.exif, orientation: meta.orientation, icc: meta.icc, xmp: meta.xmp }).toEqual({
        exif: undefined,
        orientation: undefined,
        icc: undefined,
        xmp: undefined,
      });
    }
  });

  it('applies the quality to lossy formats', async () => {
    const low = await content(jpegId, 'w=60&q=5');
    const high = await content(jpegId, 'w=60&q=95');
    expect(low.body.length).toBeLessThan(high.body.length);
  });

  it('serves the original when no parameter changes the output', async () => {
    const image = (await t.http.get(`/images/${jpegId}`).set(owner.auth)).body.data;
    for (const query of ['', 'format=jpeg', 'fit=cover', 'q=50']) {
      const res = await content(jpegId, query);
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${image.checksum}"`);
      expect(Buffer.compare(res.body, jpeg)).toBe(0);
    }
  });

  it('computes a variant once, stores it, and serves it like an original', async () => {
    const id = (await uploadImage(t, owner, jpeg, 'again.jpg')).id;
    const first = await content(id, 'w=30&fit=inside&format=webp');
    const second = await content(id, 'format=webp&w=30');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Buffer.compare(first.body, second.body)).toBe(0);
    const rows = await variantRows(t, id);
    expect(rows).toHaveLength(1);
    // The key names the resolved output (30×23), so `w=30&h=23` would be this same variant.
    expect(rows[0]).toMatchObject({ params_key: 'w=30&h=23&format=webp', mime_type: 'image/webp', width: 30, height: 23 });
    expect(first.headers.etag).toBe(`"${rows[0].checksum}"`);
    await expect(variantFiles(t, id)).resolves.toEqual([rows[0].storage_key]);
    expect(rows[0].storage_key).toMatch(new RegExp(`^variants/${id}/[0-9a-f]+\\.webp$`));
    expect(first.headers['cache-control']).toMatch(/^private/);
    expect(first.headers['content-disposition']).toBe('inline; filename="again.webp"');
  });

  it('answers conditional and range requests for a variant', async () => {
    const full = await content(jpegId, 'w=40&format=png');
    const notModified = await t.http
      .get(`/images/${jpegId}/content?w=40&format=png`)
      .set(owner.auth)
      .set('If-None-Match', full.headers.etag);
    expect(notModified.status).toBe(304);
    const partial = await getBytes(t, `/images/${jpegId}/content?w=40&format=png`, { ...owner.auth, Range: 'bytes=0-9' });
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 0-9/${full.body.length}`);
    expect(Buffer.compare(partial.body, full.body.subarray(0, 10))).toBe(0);
  });

  it('answers the first request for a new variant (computed just now) with the stored bytes, a range too', async () => {
    const ranged = await getBytes(t, `/images/${jpegId}/content?w=30&format=png`, { ...owner.auth, Range: 'bytes=5-14' });
    expect(ranged.status).toBe(206);
    const [row] = (await variantRows(t, jpegId)).filter((r) => r.params_key === 'w=30&h=23&format=png');
    expect(row).toBeDefined();
    expect(ranged.headers['content-range']).toBe(`bytes 5-14/${String(row.size)}`);
    expect(ranged.headers.etag).toBe(`"${String(row.checksum)}"`);
    const stored = await getBytes(t, `/images/${jpegId}/content?w=30&format=png`, owner.auth);
    expect(Buffer.compare(ranged.body, stored.body.subarray(5, 15))).toBe(0);
  });

  it('computes a new variant once for five concurrent first requests', async () => {
    const id = (await uploadImage(t, owner, await makeImage('jpeg', 200, 150), 'busy.jpg')).id;
    // Counts calls and lets them through: the real transform still runs.
    const transforms = jest.spyOn(t.app.get(ImageTransformer), 'render');
    const responses = await Promise.all(Array.from({ length: 5 }, () => content(id, 'w=100&h=100&fit=cover&format=avif')));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(1);
    await expect(variantRows(t, id)).resolves.toHaveLength(1);
    await expect(variantFiles(t, id)).resolves.toHaveLength(1);
    expect(transforms).toHaveBeenCalledTimes(1);
    transforms.mockRestore();
  });

  it.each([
    ['w=0', 'w'],
    ['w=4097', 'w'],
    ['w=abc', 'w'],
    ['w=1.5', 'w'],
    ['w=', 'w'],
    ['w=10&w=20', 'w'],
    ['h=0', 'h'],
    ['h=5000', 'h'],
    ['fit=crop', 'fit'],
    ['fit=COVER', 'fit'],
    ['format=gif', 'format'],
    ['format=bmp', 'format'],
    ['q=0', 'q'],
    ['q=101', 'q'],
    ['q=high', 'q'],
    ['width=100', 'width'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await t.http.get(`/images/${jpegId}/content?${query}`).set(owner.auth);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it("answers 404 for another user's image and 401 without a token", async () => {
    const stranger = await registerUser(t);
    expectProblem(await t.http.get(`/images/${jpegId}/content?w=10`).set(stranger.auth), 404, 'IMAGE_NOT_FOUND');
    expectProblem(await t.http.get(`/images/${jpegId}/content?w=10`), 401, 'UNAUTHORIZED');
    expectProblem(await t.http.get(`/images/${jpegId}/content`), 401, 'UNAUTHORIZED');
  });

  it("deletes an image's variants (bytes and rows) with it", async () => {
    const id = (await uploadImage(t, owner, jpeg, 'doomed.jpg')).id;
    for (const query of ['w=10', 'w=20&format=png', 'h=8&fit=fill&format=webp&q=40']) expect((await content(id, query)).status).toBe(200);
    await expect(variantRows(t, id)).resolves.toHaveLength(3);
    await expect(variantFiles(t, id)).resolves.toHaveLength(3);
    await t.http.delete(`/images/${id}`).set(owner.auth).expect(204);
    await expect(variantRows(t, id)).resolves.toHaveLength(0);
    await expect(variantFiles(t, id)).resolves.toEqual([]);
    expect(listFiles(t.uploadDir).filter((file) => file.includes(id))).toEqual([]);
    await expect(storedFiles(t)).resolves.not.toContain(`images/${id}`);
  });
});

describe('JPEG variants computed from one reduced decode of the original (VARIANT_SOURCE_CACHE)', () => {
  let kept: TestApp;
  let none: TestApp;
  let keptOwner: TestUser;
  let noneOwner: TestUser;

  beforeAll(async () => {
    kept = await createTestApp();
    // Two instances of one deployment (passport's strategy is one per process): one keeps no decodes.
    none = await createTestApp({ database: kept.database, uploadDir: kept.uploadDir, s3: kept.s3, env: { VARIANT_SOURCE_CACHE: '0' } });
    keptOwner = await registerUser(kept);
    noneOwner = keptOwner;
  });
  afterAll(async () => {
    await none.close();
    await kept.close();
  });

  /** An 800×600 photo-like JPEG: smooth noise, so a resize has detail to get wrong. */
  const photo = async () => {
    const raw = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    return sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
      .resize(800, 600)
      .jpeg({ quality: 90 })
      .toBuffer();
  };
  const held = (t: TestApp) => t.app.get(DecodedSources).size;
  const content = (t: TestApp, user: TestUser, id: string, query: string) =>
    getBytes(t, `/images/${id}/content?${query}`, user.auth).expect(200);

  it('gives the same bytes whether the decode was kept from an earlier variant or made for this one, close to a direct resize', async () => {
    const original = await photo();
    const keptId = (await uploadImage(kept, keptOwner, original, 'photo.jpg')).id;
    const noneId = (await uploadImage(none, noneOwner, original, 'photo.jpg')).id;
    // w=190 and w=180 both come from the 1/4 decode (200×150 covers them): the first request makes it.
    await content(kept, keptOwner, keptId, 'w=190');
    expect(held(kept)).toBe(200 * 150 * 3);
    const fromKept = await content(kept, keptOwner, keptId, 'w=180&format=png');
    const fromNew = await content(none, noneOwner, noneId, 'w=180&format=png');
    expect(held(none)).toBe(0);
    expect(fromKept.body.equals(fromNew.body)).toBe(true);
    await expect(decoded(fromKept.body)).resolves.toMatchObject({ format: 'png', width: 180, height: 135 });

    // Beside sharp's one-step resize of the original (PNG: no encoder loss in either): the same picture.
    // /metrics: one decode made, one shared, the bytes held.
    const metrics = (await kept.http.get('/metrics').expect(200)).text;
    expect(sampleValue(metrics, 'image_variant_source_decodes_total', { result: 'made' })).toBe(1);
    expect(sampleValue(metrics, 'image_variant_source_decodes_total', { result: 'shared' })).toBe(1);
    expect(sampleValue(metrics, 'image_variant_source_cache_bytes')).toBe(200 * 150 * 3);

    const direct = await sharp(original).resize(180, 135).raw().toBuffer();
    const ours = await sharp(fromKept.body).raw().toBuffer();
    const meanDifference = ours.reduce((sum, value, i) => sum + Math.abs(value - direct[i]), 0) / ours.length;
    expect(meanDifference).toBeLessThan(1.5);
  });

  it('applies the EXIF orientation in the reduced decode', async () => {
    const rotated = await exifRotatedJpeg(800, 600);
    const keptId = (await uploadImage(kept, keptOwner, rotated, 'rotated.jpg')).id;
    const noneId = (await uploadImage(none, noneOwner, rotated, 'rotated.jpg')).id;
    await content(kept, keptOwner, keptId, 'h=190');
    const fromKept = await content(kept, keptOwner, keptId, 'h=160');
    const fromNew = await content(none, noneOwner, noneId, 'h=160');
    await expect(decoded(fromKept.body)).resolves.toMatchObject({ width: 120, height: 160 });
    expect(fromKept.body.equals(fromNew.body)).toBe(true);
  });

  it("lets go of an image's decode when the image is deleted", async () => {
    const id = (await uploadImage(kept, keptOwner, await photo(), 'doomed.jpg')).id;
    const before = held(kept);
    await content(kept, keptOwner, id, 'w=100');
    expect(held(kept)).toBe(before + 100 * 75 * 3);
    await kept.http.delete(`/images/${id}`).set(keptOwner.auth).expect(204);
    expect(held(kept)).toBe(before);
  });
});

describe('a new variant is answered from memory and stored right after', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const content = (id: string, query: string) => getBytes(t, `/images/${id}/content?${query}`, owner.auth);

  /** Holds the storage's writes of variant bytes until released (a test hook: the write itself stays real). */
  function holdVariantWrites() {
    const put = t.storage.put.bind(t.storage);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const spy = jest.spyOn(t.storage, 'put').mockImplementation(async (key, body) => {
      if (key.startsWith('variants/')) await released;
      return put(key, body);
    });
    return { release, restore: () => spy.mockRestore() };
  }

  it('answers before its bytes are stored, joins later requests to that one computation, and stores it once', async () => {
    const id = (await uploadImage(t, owner, await makeImage('jpeg', 64, 48), 'early.jpg')).id;
    const transformer = t.app.get(ImageTransformer);
    const render = jest.spyOn(transformer, 'render');
    const hold = holdVariantWrites();
    try {
      const first = await content(id, 'w=20');
      expect(first.status).toBe(200);
      await expect(decoded(first.body)).resolves.toMatchObject({ width: 20, height: 15 });
      // Not stored yet: the bytes are held. A second request is answered from the same computation.
      const second = await content(id, 'w=20');
      expect(second.status).toBe(200);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.body.equals(first.body)).toBe(true);
      expect(render).toHaveBeenCalledTimes(1);
      hold.release();
      const rows = await variantRows(t, id);
      expect(rows).toHaveLength(1);
      expect(`"${rows[0].checksum}"`).toBe(first.headers.etag);
      await expect(variantFiles(t, id)).resolves.toHaveLength(1);
      // From storage now, the same bytes.
      const stored = await content(id, 'w=20');
      expect(stored.body.equals(first.body)).toBe(true);
      expect(render).toHaveBeenCalledTimes(1);
    } finally {
      hold.release();
      hold.restore();
      render.mockRestore();
    }
  });

  it('answers at most 8 variants ahead of their storage: the next one waits for its own bytes to be stored', async () => {
    const id = (await uploadImage(t, owner, await makeImage('jpeg', 64, 48), 'many.jpg')).id;
    const hold = holdVariantWrites();
    try {
      for (let w = 10; w < 18; w++) expect((await content(id, `w=${w}`)).status).toBe(200);
      let answered = false;
      const ninth = content(id, 'w=18').then((res) => ((answered = true), res));
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      hold.release();
      expect((await ninth).status).toBe(200);
    } finally {
      hold.release();
      hold.restore();
    }
    await expect(variantRows(t, id)).resolves.toHaveLength(9);
  });

  it('a delete waits for the variant being stored, then leaves no row or bytes', async () => {
    const id = (await uploadImage(t, owner, await makeImage('jpeg', 64, 48), 'pending.jpg')).id;
    const hold = holdVariantWrites();
    try {
      expect((await content(id, 'w=30&format=webp')).status).toBe(200);
      let deleted = false;
      const deleting = t.http
        .delete(`/images/${id}`)
        .set(owner.auth)
        .then((res) => ((deleted = true), res));
      await new Promise((r) => setTimeout(r, 200));
      expect(deleted).toBe(false);
      hold.release();
      expect((await deleting).status).toBe(204);
    } finally {
      hold.release();
      hold.restore();
    }
    await expect(variantRows(t, id)).resolves.toEqual([]);
    await expect(variantFiles(t, id)).resolves.toEqual([]);
  });

  it('a failed store after the answer leaves nothing, and the next request computes it again', async () => {
    const id = (await uploadImage(t, owner, await makeImage('jpeg', 64, 48), 'unstored.jpg')).id;
    const put = t.storage.put.bind(t.storage);
    const spy = jest.spyOn(t.storage, 'put').mockImplementation(async (key, body) => {
      if (key.startsWith('variants/')) throw new Error('disk went away');
      return put(key, body);
    });
    let first: Awaited<ReturnType<typeof content>>;
    try {
      first = await content(id, 'w=24');
      expect(first.status).toBe(200);
      await expect(variantRows(t, id)).resolves.toEqual([]);
      await expect(variantFiles(t, id)).resolves.toEqual([]);
    } finally {
      spy.mockRestore();
    }
    const again = await content(id, 'w=24');
    expect(again.status).toBe(200);
    expect(again.body.equals(first.body)).toBe(true);
    await expect(variantRows(t, id)).resolves.toHaveLength(1);
  });
});
