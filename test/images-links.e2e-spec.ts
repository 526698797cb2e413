import { expectProblem } from './support/problem-details';
import { makeImage } from './support/images';
import { ManualClock } from './support/manual-clock';
import { TestApp, createTestApp } from './support/test-app';
import { TestUser, registerUser } from './support/users';
import { decoded, getBytes } from './support/variants';
import { uploadImage } from './support/uploads';

describe('signed links (POST /images/{id}/links)', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let owner: TestUser;
  let png: Buffer;
  let imageId: string;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    owner = await registerUser(t);
    png = await makeImage('png', 64, 48);
    imageId = (await uploadImage(t, owner, png, 'shared.png')).id;
  });
  afterAll(async () => {
    await t.close();
  });

  const createLink = (body: object, user = owner, id = imageId) => t.http.post(`/images/${id}/links`).set(user.auth).send(body);

  async function linkUrl(body: object = {}, id = imageId): Promise<string> {
    const res = await createLink(body, owner, id);
    expect(res.status).toBe(201);
    return res.body.data.url as string;
  }

  it('signs a link to the original that works without a token, cacheable until it expires', async () => {
    const res = await createLink({ expiresIn: 600 });
    expect(res.status).toBe(201);
    const { url, expiresAt } = res.body.data;
    const expires = Math.floor(clock.now().getTime() / 1000) + 600;
    // v names the bytes (the checksum's first 16 hex digits), so the answer may be cached as immutable.
    expect(url).toMatch(new RegExp(`^/images/${imageId}/content\\?v=[0-9a-f]{16}&expires=${expires}&sig=[0-9a-f]{64}$`));
    expect(expiresAt).toBe(new Date(expires * 1000).toISOString());
    const content = await getBytes(t, url);
    expect(content.status).toBe(200);
    expect(Buffer.compare(content.body, png)).toBe(0);
    expect(content.headers['cache-control']).toBe('public, max-age=600, immutable');
  });

  it('defaults to an hour, with or without a body', async () => {
    const bare = await t.http.post(`/images/${imageId}/links`).set(owner.auth);
    expect(bare.status).toBe(201);
    const res = await createLink({});
    expect(res.body.data).toEqual(bare.body.data);
    expect(new Date(res.body.data.expiresAt).getTime() - clock.now().getTime()).toBe(3600_000);
    expect((await getBytes(t, res.body.data.url)).headers['cache-control']).toBe('public, max-age=3600, immutable');
  });

  it('carries normalised transform parameters, and serves that variant', async () => {
    const url = await linkUrl({ w: 32, fit: 'inside', format: 'webp', q: 70 });
    // Normalised to the output it gives (32×24 of the 64×48 original): both sides are named.
    expect(url).toMatch(/\/content\?w=32&h=24&format=webp&q=70&v=[0-9a-f]{16}&expires=\d+&sig=/);
    expect(await linkUrl({ w: 32, format: 'png', q: 70 })).toMatch(/\/content\?w=32&h=24&v=[0-9a-f]{16}&expires=/);
    expect(await linkUrl({ w: 4096, h: 24 })).toMatch(/\/content\?w=32&h=24&v=[0-9a-f]{16}&expires=/);
    const res = await getBytes(t, url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    await expect(decoded(res.body)).resolves.toMatchObject({ format: 'webp', width: 32, height: 24 });
  });

  it('counts max-age down as the clock moves', async () => {
    const url = await linkUrl({ expiresIn: 100 });
    clock.advance(40);
    expect((await getBytes(t, url)).headers['cache-control']).toBe('public, max-age=60, immutable');
  });

  it('refuses a link once it has expired', async () => {
    const url = await linkUrl({ expiresIn: 60 });
    clock.advance(61);
    expectProblem(await t.http.get(url), 403, 'LINK_EXPIRED');
  });

  it('refuses a tampered signature, expiry, image or parameter', async () => {
    const url = await linkUrl({ w: 20, expiresIn: 300 });
    const other = (await uploadImage(t, owner, png, 'other.png')).id;
    const sig = url.match(/sig=([0-9a-f]+)/)![1];
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    const tampered = [
      url.replace(sig, flipped),
      url.replace(/sig=[0-9a-f]+/, 'sig=abc'),
      url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`),
      url.replace('w=20', 'w=2000'),
      url.replace('w=20&', ''),
      `${url}&format=avif`,
      url.replace(imageId, other),
      url.replace(/&sig=[0-9a-f]+/, ''),
    ];
    for (const link of tampered) expectProblem(await t.http.get(link), 403, 'INVALID_SIGNATURE');
  });

  it('validates the parameters of a signed request like any other', async () => {
    const url = await linkUrl();
    expectProblem(await t.http.get(`${url}&w=0`), 400, 'VALIDATION_FAILED');
  });

  it('answers 401 without a token and without a signature', async () => {
    expectProblem(await t.http.get(`/images/${imageId}/content`), 401, 'UNAUTHORIZED');
  });

  it('answers 404 for a link to an image deleted since', async () => {
    const id = (await uploadImage(t, owner, png, 'gone.png')).id;
    const url = await linkUrl({}, id);
    await t.http.delete(`/images/${id}`).set(owner.auth).expect(204);
    expectProblem(await t.http.get(url), 404, 'IMAGE_NOT_FOUND');
  });

  it("lets only the owner (or an admin) create a link: another user's image is a 404", async () => {
    const stranger = await registerUser(t);
    expectProblem(await createLink({}, stranger), 404, 'IMAGE_NOT_FOUND');
    expectProblem(await t.http.post(`/images/${imageId}/links`).send({}), 401, 'UNAUTHORIZED');
    expectProblem(await createLink({}, owner, '00000000-0000-4000-8000-000000000000'), 404, 'IMAGE_NOT_FOUND');
  });

  it.each([
    [{ expiresIn: 0 }, 'expiresIn'],
    [{ expiresIn: 604801 }, 'expiresIn'],
    [{ expiresIn: 1.5 }, 'expiresIn'],
    [{ expiresIn: 'soon' }, 'expiresIn'],
    [{ w: 0 }, 'w'],
    [{ h: 4097 }, 'h'],
    [{ fit: 'crop' }, 'fit'],
    [{ format: 'bmp' }, 'format'],
    [{ q: 101 }, 'q'],
    [{ owner: 'me' }, 'owner'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await createLink(body);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('accepts the longest lifetime', async () => {
    const res = await createLink({ expiresIn: 604800 });
    expect(res.status).toBe(201);
    expect((await getBytes(t, res.body.data.url)).headers['cache-control']).toBe('public, max-age=604800, immutable');
  });
});
