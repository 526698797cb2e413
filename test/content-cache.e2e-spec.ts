import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Response } from 'supertest';
import { CONTENT_CACHE_MAX_OBJECT } from '../src/images/content/content-cache';
import { storageKeys } from '../src/images/storage-keys';
import { binary } from './support/binary';
import { makeImage } from './support/images';
import { sampleValue } from './support/metrics';
import { createTestApp, TestApp } from './support/test-app';
import { uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

/** Headers that differ between any two responses. */
const PER_RESPONSE = ['date', 'x-request-id'];

function headersOf(res: Response): Record<string, string> {
  return Object.fromEntries(Object.entries(res.headers as Record<string, string>).filter(([name]) => !PER_RESPONSE.includes(name)));
}

async function figures(t: TestApp): Promise<{ hits: number; misses: number; bytes: number }> {
  const text = (await t.http.get('/metrics').expect(200)).text;
  return {
    hits: sampleValue(text, 'image_content_cache_requests_total', { result: 'hit' }) ?? 0,
    misses: sampleValue(text, 'image_content_cache_requests_total', { result: 'miss' }) ?? 0,
    bytes: sampleValue(text, 'image_content_cache_bytes') ?? NaN,
  };
}

/** A PNG of random pixels, incompressible: its size follows its pixel count. */
function noisePng(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

describe('downloads kept in memory (CONTENT_CACHE)', () => {
  let t: TestApp;
  let user: TestUser;
  const get = (path: string) => t.http.get(path).set(user.auth).buffer(true).parse(binary);

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers from memory exactly as from storage (GET, Range, HEAD, attachment), reading storage once', async () => {
    const bytes = await makeImage('jpeg', 320, 240);
    const image = await uploadImage(t, user, bytes, 'Été à Paris.jpg');
    const path = `/images/${image.id}/content`;
    const before = await figures(t);

    const fromStorage = await get(path).expect(200);
    const fromMemory = await get(path).expect(200);
    expect(Buffer.compare(fromStorage.body, bytes)).toBe(0);
    expect(Buffer.compare(fromMemory.body, bytes)).toBe(0);
    expect(headersOf(fromMemory)).toEqual(headersOf(fromStorage));
    expect(fromMemory.headers['content-length']).toBe(String(bytes.length));

    const range = await get(path).set('Range', 'bytes=10-99').expect(206);
    expect(Buffer.compare(range.body, bytes.subarray(10, 100))).toBe(0);
    expect(range.headers['content-range']).toBe(`bytes 10-99/${bytes.length}`);
    expect(range.headers['content-length']).toBe('90');
    const suffix = await get(path)
      .set('Range', `bytes=-${bytes.length + 5}`)
      .expect(206);
    expect(Buffer.compare(suffix.body, bytes)).toBe(0);

    const head = await t.http.head(path).set(user.auth).expect(200);
    expect(head.text ?? '').toBe('');
    expect(headersOf(head)).toEqual(headersOf(fromStorage));

    const attachment = await get(`${path}?download=true`).expect(200);
    expect(Buffer.compare(attachment.body, bytes)).toBe(0);
    expect(attachment.headers['content-disposition']).toMatch(
      /^attachment; filename="Ete a Paris.jpg"; filename\*=UTF-8''%C3%89t%C3%A9%20%C3%A0%20Paris.jpg$/,
    );

    const after = await figures(t);
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(5);
    expect(after.bytes - before.bytes).toBe(bytes.length);

    // Proof that the answers came from memory: with the stored object gone behind the app's back, it still answers.
    await t.storage.delete(storageKeys.original(image.id));
    expect(Buffer.compare((await get(path).expect(200)).body, bytes)).toBe(0);
  });

  it("lets go of a deleted image's bytes, and its variants', at once: 404 from then on, the memory back", async () => {
    const bytes = await makeImage('png', 200, 150);
    const image = await uploadImage(t, user, bytes, 'gone.png');
    const path = `/images/${image.id}/content`;
    const before = await figures(t);
    await get(path).expect(200);
    const variant = await get(`${path}?w=50&format=webp`).expect(200);
    // A variant just computed is answered from its own fresh bytes; it is kept once it is read back from storage.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await get(`${path}?w=50&format=webp`).expect(200);
    await get(`${path}?w=50&format=webp`).expect(200);
    const kept = await figures(t);
    expect(kept.bytes - before.bytes).toBe(bytes.length + variant.body.length);

    await t.http.delete(`/images/${image.id}`).set(user.auth).expect(204);
    await get(path).expect(404);
    await get(`${path}?w=50&format=webp`).expect(404);
    expect((await figures(t)).bytes).toBe(before.bytes);
  });

  it(`streams an object over ${CONTENT_CACHE_MAX_OBJECT} bytes from storage and keeps none of it`, async () => {
    const big = await noisePng(620, 620);
    expect(big.length).toBeGreaterThan(CONTENT_CACHE_MAX_OBJECT);
    const image = await uploadImage(t, user, big, 'big.png');
    const before = await figures(t);
    for (let i = 0; i < 2; i++) expect(Buffer.compare((await get(`/images/${image.id}/content`).expect(200)).body, big)).toBe(0);
    const range = await get(`/images/${image.id}/content`).set('Range', 'bytes=1000-1999').expect(206);
    expect(Buffer.compare(range.body, big.subarray(1000, 2000))).toBe(0);
    const after = await figures(t);
    expect(after).toEqual(before);
  });
});

describe('CONTENT_CACHE bounds', () => {
  it('keeps objects up to an eighth of a small budget and stays within the budget', async () => {
    const budget = 64 * 1024;
    const t = await createTestApp({ env: { CONTENT_CACHE: '64KB' } });
    try {
      const user = await registerUser(t);
      const small = await makeImage('png', 40, 30);
      expect(small.length).toBeLessThanOrEqual(budget / 8);
      const large = await noisePng(60, 60);
      expect(large.length).toBeGreaterThan(budget / 8);
      const images = [];
      for (let i = 0; i < 40; i++) images.push(await uploadImage(t, user, i % 4 ? small : large, `i${i}.png`));
      for (const image of images) await t.http.get(`/images/${image.id}/content`).set(user.auth).expect(200);
      const { bytes, misses } = await figures(t);
      // The large ones stream from storage without a lookup: only the 30 small ones were candidates.
      expect(misses).toBe(30);
      // Only the small ones were kept, as many as fit: the budget holds.
      expect(bytes).toBe(Math.min(30, Math.floor(budget / small.length)) * small.length);
      expect(bytes).toBeLessThanOrEqual(budget);
    } finally {
      await t.close();
    }
  });

  it('keeps nothing with CONTENT_CACHE=0: every download reads storage', async () => {
    const t = await createTestApp({ env: { CONTENT_CACHE: '0' } });
    try {
      const user = await registerUser(t);
      const image = await uploadImage(t, user, await makeImage('png', 40, 30), 'small.png');
      for (let i = 0; i < 3; i++) await t.http.get(`/images/${image.id}/content`).set(user.auth).expect(200);
      expect(await figures(t)).toEqual({ hits: 0, misses: 0, bytes: 0 });
      await t.storage.delete(storageKeys.original(image.id));
      await t.http.get(`/images/${image.id}/content`).set(user.auth).expect(404);
    } finally {
      await t.close();
    }
  });
});
