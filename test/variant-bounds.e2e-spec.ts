import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { ConfigType } from '@nestjs/config';
import { imageWorkConfig } from '../src/images/config/image-work.config';
import { ContentSender } from '../src/images/content/content-sender';
import { ImageTransformer } from '../src/images/variants/image-transformer';
import { chunk, makeImage } from './support/images';
import { ManualClock } from './support/manual-clock';
import { expectProblem } from './support/problem-details';
import { TestS3Server, startS3Server, testStorage } from './support/s3-server';
import { TestApp, createTestApp, storedFiles, variantsSettled } from './support/test-app';
import { TestDatabase, createTestDatabase } from './support/test-database';
import { leftovers, upload, uploadImage } from './support/uploads';
import { TestUser, registerUser } from './support/users';
import { decoded, exifRotatedJpeg, getBytes, variantFiles, variantRows } from './support/variants';

/**
 * Every variant row has its bytes and every variant object has its row: nothing orphaned either way
 * (once `t` and the `others` sharing its database and storage have stored what they answered).
 */
async function expectVariantsConsistent(t: TestApp, imageId: string, ...others: TestApp[]): Promise<void> {
  await Promise.all(others.map(variantsSettled));
  const rows = await variantRows(t, imageId);
  expect((await variantFiles(t, imageId)).sort()).toEqual(rows.map((r) => r.storage_key as string).sort());
}

/** Two instances on one database and one storage (S3 bucket or upload folder), like a deployment behind a balancer. */
async function twoInstances(env: Record<string, string>, clock?: ManualClock) {
  const database: TestDatabase = await createTestDatabase();
  const s3: TestS3Server | undefined = testStorage() === 's3' ? await startS3Server() : undefined;
  const uploadDir = mkdtempSync(join(tmpdir(), 'image-api-two-'));
  const a = await createTestApp({ database, s3, uploadDir, env, clock });
  const b = await createTestApp({ database, s3, uploadDir, env, clock });
  return {
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await s3?.stop();
      await database.drop();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** A valid 1 × `height` 8-bit grey PNG of zeros: tiny on disk, one libpng row per pixel to decode. */
function tallPng(height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const idat = deflateSync(Buffer.alloc(height * 2), { level: 9 });
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A JPEG of pseudo-random noise at low quality: a few MB, still costly to re-encode losslessly. */
async function noisyJpeg(width: number, height: number, progressive = false): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = seed >> 16;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 10, progressive })
    .toBuffer();
}

describe('derived output is bounded by what it produces', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_VARIANTS_PER_IMAGE: '5', TRANSFORM_RATE_LIMIT: '10000' } });
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const content = (id: string, query: string) => getBytes(t, `/images/${id}/content?${query}`, owner.auth);

  it('never enlarges: ?w=4096 of a 1×10 PNG is that PNG, and no variant is stored', async () => {
    const tiny = await sharp({ create: { width: 1, height: 10, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    expect(tiny.length).toBeLessThan(100);
    const id = (await uploadImage(t, owner, tiny, 'tiny.png')).id;
    for (const query of ['w=4096', 'h=4096', 'w=4096&h=4096&fit=fill', 'w=4096&h=4096&fit=cover', 'w=4096&h=4096&fit=outside']) {
      const res = await content(id, query);
      expect(res.status).toBe(200);
      const meta = await decoded(res.body);
      expect(meta.width! * meta.height!).toBeLessThanOrEqual(10);
      expect(meta.width).toBeLessThanOrEqual(1);
    }
    const webp = await content(id, 'w=4096&format=webp');
    await expect(decoded(webp.body)).resolves.toMatchObject({ format: 'webp', width: 1, height: 10 });
    // Only the format conversion and the square crop (cover of a square box: 1×1) are variants;
    // every other request above was the original itself.
    expect((await variantRows(t, id)).map((r) => r.params_key).sort()).toEqual(['format=webp', 'w=1&h=1&fit=cover']);
  });

  it('?h=4096 on a 64×48 image is the original (64×48, its own ETag)', async () => {
    const original = await makeImage('jpeg', 64, 48);
    const id = (await uploadImage(t, owner, original, 'small.jpg')).id;
    const res = await content(id, 'h=4096');
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, original)).toBe(0);
    await expect(variantRows(t, id)).resolves.toHaveLength(0);
  });

  it('uses the displayed size (EXIF orientation 6 turns 64×48 into 48×64)', async () => {
    const id = (await uploadImage(t, owner, await exifRotatedJpeg(64, 48), 'turned.jpg')).id;
    const full = await content(id, 'w=48&h=64&format=png');
    await expect(decoded(full.body)).resolves.toMatchObject({ width: 48, height: 64 });
    const tall = await content(id, 'h=4096&format=png');
    expect(tall.headers.etag).toBe(full.headers.etag);
    await expect(variantRows(t, id)).resolves.toHaveLength(1);
  });

  it('stores one variant for requests that give the same output', async () => {
    const id = (await uploadImage(t, owner, await makeImage('png', 400, 300), 'same.png')).id;
    const responses = [];
    for (const query of ['w=300', 'w=300&h=225', 'h=225', 'w=300&h=4000', 'w=300&fit=cover']) responses.push(await content(id, query));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(1);
    await expect(decoded(responses[0].body)).resolves.toMatchObject({ width: 300, height: 225 });
    expect((await variantRows(t, id)).map((r) => r.params_key)).toEqual(['w=300&h=225']);
  });

  it('keeps at most MAX_VARIANTS_PER_IMAGE after 300 distinct ?w= requests, with no orphan', async () => {
    const id = (await uploadImage(t, owner, await makeImage('png', 400, 300), 'many.png')).id;
    for (let w = 1; w <= 300; w++) expect((await content(id, `w=${w}`)).status).toBe(200);
    const rows = await variantRows(t, id);
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(rows.map((r) => r.params_key)).toEqual(expect.arrayContaining(['w=300&h=225']));
    await expectVariantsConsistent(t, id);
  });
});

describe('MAX_VARIANTS_PER_IMAGE at its default, and least recently served first', () => {
  let t: TestApp;
  let owner: TestUser;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestApp({ clock });
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const content = (id: string, query: string) => getBytes(t, `/images/${id}/content?${query}`, owner.auth);

  it('stores at most 20 variants per image by default', async () => {
    const id = (await uploadImage(t, owner, await makeImage('png', 80, 60), 'default.png')).id;
    for (let w = 1; w <= 30; w++) expect((await content(id, `w=${w}`)).status).toBe(200);
    expect((await variantRows(t, id)).length).toBe(20);
    await expectVariantsConsistent(t, id);
  });

  it('evicts the least recently served variant, not the oldest one', async () => {
    const id = (await uploadImage(t, owner, await makeImage('png', 80, 60), 'lru.png')).id;
    for (let w = 1; w <= 20; w++) {
      clock.advance(1);
      expect((await content(id, `w=${w}`)).status).toBe(200);
    }
    clock.advance(120);
    // Served again (and so refreshed): w=1 is now the most recently served.
    expect((await content(id, 'w=1')).status).toBe(200);
    expect((await content(id, 'w=21')).status).toBe(200);
    const keys = (await variantRows(t, id)).map((r) => r.params_key);
    expect(keys).toHaveLength(20);
    expect(keys).toContain('w=1&h=1');
    expect(keys).not.toContain('w=2&h=2');
    await expectVariantsConsistent(t, id);
  });
});

describe('TRANSFORM_RATE_LIMIT, counted across two instances', () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;

  beforeAll(async () => {
    pair = await twoInstances({ TRANSFORM_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('allows N new variants a minute over both instances; the N+1st is a 429 with Retry-After and leaves nothing', async () => {
    const { a, b } = pair;
    const user = await registerUser(a);
    const id = (await uploadImage(a, user, await makeImage('png', 80, 60), 'rate.png')).id;
    const get = (app: TestApp, query: string) => getBytes(app, `/images/${id}/content?${query}`, user.auth);
    expect((await get(a, 'w=10')).status).toBe(200);
    expect((await get(b, 'w=11')).status).toBe(200);
    expect((await get(a, 'w=12')).status).toBe(200);
    // A new variant is stored right after its answer; on the other instance it is found once stored.
    await Promise.all([variantsSettled(a), variantsSettled(b)]);
    // Stored variants served again do not count.
    expect((await get(b, 'w=10')).status).toBe(200);
    expect((await get(a, 'w=11&h=8')).status).toBe(200);
    const refused = await b.http.get(`/images/${id}/content?w=13`).set(user.auth);
    expectProblem(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectProblem(await a.http.get(`/images/${id}/content?format=webp`).set(user.auth), 429, 'RATE_LIMITED');
    expect((await variantRows(a, id)).map((r) => r.params_key).sort()).toEqual(['w=10&h=8', 'w=11&h=8', 'w=12&h=9']);
    await expectVariantsConsistent(a, id, b);
    // Another user's budget is their own.
    const other = await registerUser(b);
    const otherId = (await uploadImage(b, other, await makeImage('png', 80, 60), 'other.png')).id;
    expect((await getBytes(a, `/images/${otherId}/content?w=13`, other.auth)).status).toBe(200);
  });
});

describe('TRANSFORM_RATE_LIMIT, over time', () => {
  let t: TestApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    t = await createTestApp({ env: { TRANSFORM_RATE_LIMIT: '2' }, clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives the budget back a minute later, and records older than the window are removed', async () => {
    const user = await registerUser(t);
    const id = (await uploadImage(t, user, await makeImage('png', 80, 60), 'window.png')).id;
    const get = (query: string) => getBytes(t, `/images/${id}/content?${query}`, user.auth);
    const records = async () => (await t.dataSource.query('SELECT created_at FROM variant_creations')) as unknown[];
    expect((await get('w=10')).status).toBe(200);
    expect((await get('w=11')).status).toBe(200);
    expectProblem(await t.http.get(`/images/${id}/content?w=12`).set(user.auth), 429, 'RATE_LIMITED');
    expect(await records()).toHaveLength(2);
    clock.advance(61);
    expect((await get('w=12')).status).toBe(200);
    expect((await get('w=13')).status).toBe(200);
    expectProblem(await t.http.get(`/images/${id}/content?w=14`).set(user.auth), 429, 'RATE_LIMITED');
    // The two of the first minute are gone; the table holds only the current window's.
    expect(await records()).toHaveLength(2);
  });
});

describe('eviction with two instances sharing the database and storage', () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;

  beforeAll(async () => {
    pair = await twoInstances({ MAX_VARIANTS_PER_IMAGE: '2', TRANSFORM_RATE_LIMIT: '10000' });
  });
  afterAll(async () => {
    await pair?.close();
  });

  it('serves (recomputing) a variant that the other instance evicts between lookup and read', async () => {
    const { a, b } = pair;
    const user = await registerUser(a);
    const id = (await uploadImage(a, user, await makeImage('png', 80, 60), 'shared.png')).id;
    const first = await getBytes(a, `/images/${id}/content?w=10`, user.auth);
    expect(first.status).toBe(200);
    await variantsSettled(a);
    // Hold b after its lookup, before it opens the bytes, while a evicts that variant.
    const sender = b.app.get(ContentSender);
    const send = sender.send.bind(sender);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let looked!: () => void;
    const lookedUp = new Promise<void>((r) => (looked = r));
    const held = jest.spyOn(sender, 'send').mockImplementationOnce(async (...args) => {
      looked();
      await released;
      return send(...args);
    });
    // then() sends the request now; supertest would wait for the first await otherwise.
    const pending = getBytes(b, `/images/${id}/content?w=10`, user.auth).then((r) => r);
    await lookedUp;
    for (const w of [11, 12, 13]) expect((await getBytes(a, `/images/${id}/content?w=${w}`, user.auth)).status).toBe(200);
    expect((await variantRows(a, id)).map((r) => r.params_key)).not.toContain('w=10&h=8');
    release();
    const res = await pending;
    held.mockRestore();
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(first.headers.etag);
    expect(Buffer.compare(res.body, first.body)).toBe(0);
    await variantsSettled(b);
    expect((await variantRows(a, id)).length).toBeLessThanOrEqual(2);
    await expectVariantsConsistent(a, id, b);
  });

  it('answers every request of both instances racing over one image, leaving at most the limit and no orphan', async () => {
    const { a, b } = pair;
    const user = await registerUser(a);
    const id = (await uploadImage(a, user, await makeImage('png', 120, 90), 'race.png')).id;
    const requests = Array.from({ length: 40 }, (_, i) => getBytes(i % 2 ? a : b, `/images/${id}/content?w=${(i % 13) + 20}`, user.auth));
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await variantsSettled(b);
    expect((await variantRows(a, id)).length).toBeLessThanOrEqual(2);
    await expectVariantsConsistent(a, id, b);
  });
});

describe('an image deleted while its variant is computed', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Runs `hold` inside the transformer (a test hook: database and storage stay real), deleting the image meanwhile. */
  async function deleteDuring(hold: 'before-decode' | 'before-store') {
    const id = (await uploadImage(t, owner, await makeImage('png', 80, 60), `${hold}.png`)).id;
    const transformer = t.app.get(ImageTransformer);
    const render = transformer.render.bind(transformer);
    const spy = jest.spyOn(transformer, 'render').mockImplementationOnce(async (key, params) => {
      if (hold === 'before-decode') {
        await t.http.delete(`/images/${id}`).set(owner.auth).expect(204);
        return render(key, params);
      }
      // Encode fully from the original, then let the image go before the bytes are stored.
      const output = await render(key, params);
      await t.http.delete(`/images/${id}`).set(owner.auth).expect(204);
      return output;
    });
    const res = await t.http.get(`/images/${id}/content?w=40&format=webp`).set(owner.auth);
    spy.mockRestore();
    return { id, res };
  }

  it.each(['before-decode', 'before-store'] as const)('is a 404 with no variant row or bytes left (%s)', async (hold) => {
    const { id, res } = await deleteDuring(hold);
    expectProblem(res, 404, 'IMAGE_NOT_FOUND');
    await expect(variantRows(t, id)).resolves.toEqual([]);
    expect((await storedFiles(t)).filter((key) => key.includes(id))).toEqual([]);
  });
});

describe('DECODE_TIMEOUT', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    // The other limits are raised so that only the timeout can answer.
    t = await createTestApp({
      env: { DECODE_TIMEOUT: '1s', MAX_IMAGE_SIDE: '10000000' },
    });
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('stops an upload whose decode takes longer: 422 IMAGE_TOO_COMPLEX, no file, no row', async () => {
    const before = await leftovers(t);
    // ~8 million PNG rows: several seconds of libpng work here, from 31 KB.
    const res = await upload(t, owner, tallPng(8_000_000), 'tall.png');
    expectProblem(res, 422, 'IMAGE_TOO_COMPLEX');
    await expect(leftovers(t)).resolves.toEqual(before);
  });

  it('stops a variant whose transform takes longer: 422 IMAGE_TOO_COMPLEX, no variant row or bytes', async () => {
    // ~4.3 MB (one S3 part), 49 MP of progressive noise: its 4096×4096 PNG variant decodes every scan
    // of the full-size original, resizes and compresses it; on a 2026 AMD EPYC core the second runs
    // out at 66 % (a baseline 36 MP JPEG got to 94–97 %: too close on a fast machine).
    // The upload's own decode (shrink-on-load, every scan) takes most of a second here and went past
    // 1 s on a loaded CI machine: it gets more time; the variant's transform is what is under test.
    const work = t.app.get<ConfigType<typeof imageWorkConfig>>(imageWorkConfig.KEY);
    work.decodeTimeoutSeconds = 60;
    const id = await uploadImage(t, owner, await noisyJpeg(7000, 7000, true), 'noise.jpg')
      .then((image) => image.id)
      .finally(() => (work.decodeTimeoutSeconds = 1));
    const before = await leftovers(t);
    const res = await t.http.get(`/images/${id}/content?format=png`).set(owner.auth);
    expectProblem(res, 422, 'IMAGE_TOO_COMPLEX');
    await expect(variantRows(t, id)).resolves.toEqual([]);
    await expect(leftovers(t)).resolves.toEqual(before);
  });
});
