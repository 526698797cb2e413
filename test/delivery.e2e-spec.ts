import { makeImage } from './support/images';
import { animatedImage } from './support/animated';
import { expectProblem } from './support/problem-details';
import { TestApp, createTestApp } from './support/test-app';
import { leftovers } from './support/uploads';
import { TestUser, registerUser } from './support/users';
import { decoded, getBytes, variantRows } from './support/variants';
import { uploadImage } from './support/uploads';

const CHROMIUM_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

describe('delivery: format=auto, presets, crop positions, animation, caching', () => {
  let t: TestApp;
  let owner: TestUser;
  let photoId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRANSFORM_PRESETS: 'thumb=w:40,h:40,fit:cover;card=w:80,format:auto' } });
    owner = await registerUser(t);
    photoId = (await uploadImage(t, owner, await makeImage('jpeg', 160, 120), 'photo.jpg')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => getBytes(t, path, { ...owner.auth, ...headers });

  describe('format=auto', () => {
    it.each([
      [CHROMIUM_ACCEPT, 'image/avif', 'heif'],
      ['image/webp,*/*', 'image/webp', 'webp'],
      ['image/*', 'image/jpeg', 'jpeg'],
    ])('Accept %p gets %s, with Vary: Accept', async (accept, mimeType, sharpFormat) => {
      const res = await get(`/images/${photoId}/content?w=64&format=auto`, { Accept: accept });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(mimeType);
      expect(res.headers.vary).toBe('Accept');
      await expect(decoded(res.body)).resolves.toMatchObject({ format: sharpFormat, width: 64 });
    });

    it('stores one variant per negotiated format, each with its own ETag and 304', async () => {
      const id = (await uploadImage(t, owner, await makeImage('jpeg', 100, 80), 'etags.jpg')).id;
      const url = `/images/${id}/content?w=50&format=auto`;
      const etags = new Set<string>();
      for (const accept of [CHROMIUM_ACCEPT, 'image/webp', 'image/jpeg', CHROMIUM_ACCEPT, 'image/webp']) {
        const res = await get(url, { Accept: accept });
        expect(res.status).toBe(200);
        etags.add(res.headers.etag);
        const again = await get(url, { Accept: accept, 'If-None-Match': res.headers.etag });
        expect(again.status).toBe(304);
        expect(again.headers.vary).toBe('Accept');
      }
      expect(etags.size).toBe(3);
      const keys = (await variantRows(t, id)).map((row) => row.params_key).sort();
      expect(keys).toEqual(['w=50&h=40', 'w=50&h=40&format=avif', 'w=50&h=40&format=webp']);
    });

    it('leaves Vary out when the format is explicit or absent', async () => {
      for (const query of ['w=64&format=webp', 'w=64', '']) {
        const res = await get(`/images/${photoId}/content?${query}`, { Accept: CHROMIUM_ACCEPT });
        expect(res.status).toBe(200);
        expect(res.headers.vary).toBeUndefined();
      }
    });

    it('keeps an animated GIF animated: WebP for a browser that takes AVIF and WebP, else the GIF', async () => {
      const gifId = (await uploadImage(t, owner, await animatedImage('gif'), 'anim.gif')).id;
      const modern = await get(`/images/${gifId}/content?w=30&format=auto`, { Accept: CHROMIUM_ACCEPT });
      expect(modern.headers['content-type']).toBe('image/webp');
      await expect(decoded(modern.body)).resolves.toMatchObject({ pages: 3, width: 30 });
      const old = await get(`/images/${gifId}/content?w=30&format=auto`, { Accept: 'image/avif,image/gif' });
      expect(old.headers['content-type']).toBe('image/gif');
    });
  });

  describe('signed links', () => {
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const link = async (body: object, id = photoId) => {
      const res = await t.http.post(`/images/${id}/links`).set(owner.auth).send(body);
      expect(res.status).toBe(201);
      return res.body.data.url as string;
    };

    it('may carry format=auto: signed as asked, negotiated per request, immutable with the checksum', async () => {
      const created = nowSeconds();
      const url = await link({ w: 64, format: 'auto' });
      expect(url).toMatch(/\?w=64&format=auto&v=[0-9a-f]{16}&expires=\d+&sig=[0-9a-f]{64}$/);
      const asked = nowSeconds();
      const avif = await getBytes(t, url, { Accept: CHROMIUM_ACCEPT });
      const answered = nowSeconds();
      expect(avif.status).toBe(200);
      expect(avif.headers['content-type']).toBe('image/avif');
      // An hour's link, cacheable for exactly the seconds it has left when answered (an AVIF encode can cross a second).
      const expires = Number(new URL(url, 'http://link').searchParams.get('expires'));
      expect(expires - created).toBeGreaterThanOrEqual(3600);
      expect(expires - asked).toBeLessThanOrEqual(3600);
      const maxAge = Number(/^public, max-age=(\d+), immutable$/.exec(avif.headers['cache-control'] ?? '')?.[1]);
      expect(maxAge).toBeGreaterThanOrEqual(expires - answered);
      expect(maxAge).toBeLessThanOrEqual(expires - asked);
      expect(avif.headers.vary).toBe('Accept');
      const webp = await getBytes(t, url, { Accept: 'image/webp' });
      expect(webp.headers['content-type']).toBe('image/webp');
      expect(webp.headers.etag).not.toBe(avif.headers.etag);
      expect((await getBytes(t, url, { Accept: 'image/webp', 'If-None-Match': webp.headers.etag })).status).toBe(304);
    });

    it('refuses a link whose format or version was changed', async () => {
      const url = await link({ w: 64, format: 'auto' });
      expectProblem(await t.http.get(url.replace('format=auto', 'format=webp')), 403, 'INVALID_SIGNATURE');
      expectProblem(await t.http.get(url.replace(/v=[0-9a-f]{16}/, 'v=0000000000000000')), 403, 'INVALID_SIGNATURE');
      expectProblem(await t.http.get(url.replace(/&v=[0-9a-f]{16}/, '')), 403, 'INVALID_SIGNATURE');
    });

    it('carries a preset by name', async () => {
      const url = await link({ preset: 'thumb' });
      expect(url).toMatch(/\?preset=thumb&v=/);
      const res = await getBytes(t, url);
      await expect(decoded(res.body)).resolves.toMatchObject({ width: 40, height: 40 });
    });
  });

  describe('presets', () => {
    it('applies a preset, and shares its variant with the same explicit parameters', async () => {
      const preset = await get(`/images/${photoId}/content?preset=thumb`);
      expect(preset.status).toBe(200);
      await expect(decoded(preset.body)).resolves.toMatchObject({ format: 'jpeg', width: 40, height: 40 });
      const explicit = await get(`/images/${photoId}/content?w=40&h=40&fit=cover`);
      expect(explicit.headers.etag).toBe(preset.headers.etag);
    });

    it('lets explicit parameters override the preset', async () => {
      const res = await get(`/images/${photoId}/content?preset=thumb&h=20`);
      await expect(decoded(res.body)).resolves.toMatchObject({ width: 40, height: 20 });
      const card = await get(`/images/${photoId}/content?preset=card&format=png`, { Accept: CHROMIUM_ACCEPT });
      expect(card.headers['content-type']).toBe('image/png');
      expect(card.headers.vary).toBeUndefined();
    });

    it('a preset with format:auto negotiates', async () => {
      const res = await get(`/images/${photoId}/content?preset=card`, { Accept: CHROMIUM_ACCEPT });
      expect(res.headers['content-type']).toBe('image/avif');
      expect(res.headers.vary).toBe('Accept');
    });

    it.each([
      ['preset=nope', 'preset'],
      ['preset=bad%20name', 'preset'],
      ['w=40&position=attention', 'position'],
      ['w=40&h=40&fit=fill&position=entropy', 'position'],
      ['format=gif', 'format'],
    ])('refuses %s with a 400 naming %s', async (query, field) => {
      const res = await t.http.get(`/images/${photoId}/content?${query}`).set(owner.auth);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('crop positions', () => {
    it.each(['center', 'attention', 'entropy'])('crops with position=%s', async (position) => {
      const res = await get(`/images/${photoId}/content?w=30&h=60&fit=cover&position=${position}`);
      expect(res.status).toBe(200);
      await expect(decoded(res.body)).resolves.toMatchObject({ width: 30, height: 60 });
    });

    it('keys the strategies apart, and drops a position that cuts nothing', async () => {
      const id = (await uploadImage(t, owner, await makeImage('jpeg', 100, 50), 'crops.jpg')).id;
      for (const query of [
        'w=20&h=20&fit=cover&position=attention',
        'w=20&h=20&fit=cover&position=entropy',
        'w=20&h=20&fit=cover&position=center',
      ]) {
        expect((await get(`/images/${id}/content?${query}`)).status).toBe(200);
      }
      expect((await get(`/images/${id}/content?w=40&h=20&fit=cover&position=attention`)).status).toBe(200);
      expect((await get(`/images/${id}/content?w=20&h=20&fit=contain&position=entropy`)).status).toBe(200);
      const keys = (await variantRows(t, id)).map((row) => row.params_key).sort();
      expect(keys).toEqual([
        'w=20&h=20&fit=contain',
        'w=20&h=20&fit=cover',
        'w=20&h=20&fit=cover&position=attention',
        'w=20&h=20&fit=cover&position=entropy',
        'w=40&h=20&fit=cover',
      ]);
    });
  });

  describe('animation', () => {
    it.each(['gif', 'webp'] as const)('an animated %s stays animated: every frame, loop and delays kept', async (format) => {
      const id = (await uploadImage(t, owner, await animatedImage(format), `anim.${format}`)).id;
      for (const [query, out] of [
        ['w=30', format],
        ['w=30&format=webp', 'webp'],
        ['w=20&h=20&fit=cover', format],
      ] as const) {
        const res = await get(`/images/${id}/content?${query}`);
        expect(res.status).toBe(200);
        const meta = await decoded(res.body);
        expect({ format: meta.format, pages: meta.pages, loop: meta.loop, delay: meta.delay }).toEqual({
          format: out,
          pages: 3,
          loop: 3,
          delay: [100, 200, 300],
        });
      }
      const row = (await variantRows(t, id)).find((r) => r.params_key === 'w=30&h=20');
      expect(row).toMatchObject({ width: 30 });
    });

    it.each(['jpeg', 'png', 'avif'])('format=%s takes the first frame', async (format) => {
      const id = (await uploadImage(t, owner, await animatedImage('gif'), `first-${format}.gif`)).id;
      const res = await get(`/images/${id}/content?w=30&format=${format}`);
      expect(res.status).toBe(200);
      const meta = await decoded(res.body);
      expect({ pages: meta.pages ?? 1, width: meta.width, height: meta.height }).toEqual({ pages: 1, width: 30, height: 20 });
    });
  });
});

describe('delivery limits: TRANSFORM_PRESETS_ONLY, MAX_ANIMATION_FRAMES, frames against MAX_DECODE_MEMORY', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        TRANSFORM_PRESETS: 'thumb=w:20,h:20,fit:cover;small=w:30',
        TRANSFORM_PRESETS_ONLY: 'true',
        MAX_ANIMATION_FRAMES: '2',
        // A frame of each test image fits; two 100×120 RGB frames (72 000 bytes) do not.
        MAX_DECODE_MEMORY: '60000',
      },
    });
    owner = await registerUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves presets only: free parameters are a 400 naming each, on content and on links', async () => {
    const id = (await uploadImage(t, owner, await makeImage('png', 64, 48), 'p.png')).id;
    expect((await getBytes(t, `/images/${id}/content?preset=thumb`, owner.auth)).status).toBe(200);
    expect((await getBytes(t, `/images/${id}/content`, owner.auth)).status).toBe(200);
    const res = await t.http.get(`/images/${id}/content?preset=thumb&w=10&format=webp`).set(owner.auth);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['w', 'format']);
    const link = await t.http.post(`/images/${id}/links`).set(owner.auth).send({ w: 10 });
    expectProblem(link, 400, 'VALIDATION_FAILED');
    const ok = await t.http.post(`/images/${id}/links`).set(owner.auth).send({ preset: 'thumb' });
    expect(ok.status).toBe(201);
    expect((await getBytes(t, ok.body.data.url)).status).toBe(200);
  });

  it('documents the configured presets as an enum in the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    const parameter = doc.paths['/images/{id}/content'].get.parameters.find((p: { name: string }) => p.name === 'preset');
    expect(parameter.schema).toMatchObject({ type: 'string', enum: ['thumb', 'small'] });
    expect(doc.components.schemas.CreateLinkDto.properties.preset).toMatchObject({ enum: ['thumb', 'small'] });
  });

  it('keeps the first MAX_ANIMATION_FRAMES frames', async () => {
    const id = (await uploadImage(t, owner, await animatedImage('gif', 5), 'five.gif')).id;
    const res = await getBytes(t, `/images/${id}/content?preset=small`, owner.auth);
    expect(res.status).toBe(200);
    await expect(decoded(res.body)).resolves.toMatchObject({ pages: 2, delay: [100, 200], width: 30 });
  });

  it('refuses an animation whose frames × pixels exceed MAX_DECODE_MEMORY (422), leaving nothing behind', async () => {
    const id = (await uploadImage(t, owner, await animatedImage('webp', 3, 100, 120), 'big.webp')).id;
    const before = await leftovers(t);
    const res = await t.http.get(`/images/${id}/content?preset=small`).set(owner.auth);
    expectProblem(res, 422, 'IMAGE_TOO_COMPLEX');
    await expect(leftovers(t)).resolves.toEqual(before);
    expect(await variantRows(t, id)).toEqual([]);
  });
});
