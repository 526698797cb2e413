import { createHash } from 'node:crypto';
import { makeImage } from './support/images';
import { expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { ImageBody, uploadImage } from './support/uploads';
import { getBytes, variantRows } from './support/variants';
import { login, registerUser, TestUser } from './support/users';

const ADMIN = { email: 'admin-edit@example.com', password: 'admin password 123' };

describe('PATCH /images/{id} and GET /images?checksum=', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;
  let jpeg: Buffer;
  let image: ImageBody;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    [alice, bob] = [await registerUser(t), await registerUser(t)];
    const adminLogin = await login(t, ADMIN.email, ADMIN.password);
    admin = { ...adminLogin, id: (await t.http.get('/auth/me').set(adminLogin.auth)).body.data.id };
    jpeg = await makeImage('jpeg', 80, 60);
    image = await uploadImage(t, alice, jpeg, 'kite.jpg');
  });
  afterAll(async () => {
    await t.close();
  });

  const patch = (id: string, user: TestUser, body: unknown) =>
    t.http
      .patch(`/images/${id}`)
      .set(user.auth)
      .send(body as object);
  const fieldsOf = (res: { body: { errors?: Array<{ field: string }> } }) => (res.body.errors ?? []).map((e) => e.field);

  describe('JSON merge semantics', () => {
    it('sets alt and focalPoint, leaves absent fields, and GET shows the same', async () => {
      const res = await patch(image.id, alice, { alt: 'A kite at dusk', focalPoint: { x: 0.25, y: 1 } }).expect(200);
      expect(res.body.data).toMatchObject({ filename: 'kite.jpg', alt: 'A kite at dusk', focalPoint: { x: 0.25, y: 1 } });
      const again = await patch(image.id, alice, { filename: 'renamed.jpg' }).expect(200);
      expect(again.body.data).toMatchObject({ filename: 'renamed.jpg', alt: 'A kite at dusk', focalPoint: { x: 0.25, y: 1 } });
      const got = await t.http.get(`/images/${image.id}`).set(alice.auth).expect(200);
      expect(got.body.data).toEqual(again.body.data);
    });

    it('null clears alt and focalPoint; an empty object changes nothing', async () => {
      await patch(image.id, alice, { alt: 'x', focalPoint: { x: 0.5, y: 0.5 } }).expect(200);
      const cleared = await patch(image.id, alice, { alt: null, focalPoint: null }).expect(200);
      expect(cleared.body.data).toMatchObject({ alt: null, focalPoint: null });
      const same = await patch(image.id, alice, {}).expect(200);
      expect(same.body.data).toEqual(cleared.body.data);
    });

    it('accepts application/merge-patch+json', async () => {
      const res = await t.http
        .patch(`/images/${image.id}`)
        .set(alice.auth)
        .set('Content-Type', 'application/merge-patch+json')
        .send(JSON.stringify({ alt: 'merge' }))
        .expect(200);
      expect(res.body.data.alt).toBe('merge');
    });

    it('sanitises the filename like an upload (last segment, no invisible characters)', async () => {
      const res = await patch(image.id, alice, { filename: '../../etc/pa\u202Ess\u200Bwd.jpg' }).expect(200);
      expect(res.body.data.filename).toBe('passwd.jpg');
    });

    it('takes 1000 characters of alt (astral ones too) and refuses 1001', async () => {
      await patch(image.id, alice, { alt: '🪁'.repeat(1000) }).expect(200);
      await expect(t.dataSource.query('SELECT alt FROM images WHERE id = ?', [image.id])).resolves.toEqual([{ alt: '🪁'.repeat(1000) }]);
      const res = await patch(image.id, alice, { alt: 'a'.repeat(1001) });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(['alt']);
    });
  });

  describe('validation errors name the field', () => {
    it.each([
      [{ filename: null }, 'filename'],
      [{ filename: '/\u200B/' }, 'filename'],
      [{ filename: 42 }, 'filename'],
      [{ alt: 7 }, 'alt'],
      [{ focalPoint: { x: 1.5, y: 0.5 } }, 'focalPoint.x'],
      [{ focalPoint: { x: 0.5, y: -0.1 } }, 'focalPoint.y'],
      [{ focalPoint: { x: 0.5 } }, 'focalPoint.y'],
      [{ focalPoint: { x: '0.5', y: 0.5 } }, 'focalPoint.x'],
      [{ focalPoint: 'centre' }, 'focalPoint'],
      [{ focalPoint: { x: 0.5, y: 0.5, z: 1 } }, 'focalPoint.z'],
      [{ width: 10 }, 'width'],
    ])('%j → 400 naming %s, nothing changed', async (body, field) => {
      const before = (await t.http.get(`/images/${image.id}`).set(alice.auth)).body.data;
      const res = await patch(image.id, alice, body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual([field]);
      expect((await t.http.get(`/images/${image.id}`).set(alice.auth)).body.data).toEqual(before);
    });

    it('a body that is not JSON is a 415', async () => {
      const res = await t.http.patch(`/images/${image.id}`).set(alice.auth).set('Content-Type', 'text/plain').send('alt=x');
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('who may edit', () => {
    it("another user's image is a 404, and stays as it was", async () => {
      const res = await patch(image.id, bob, { alt: 'mine now' });
      expectProblem(res, 404, 'IMAGE_NOT_FOUND');
      expect((await t.http.get(`/images/${image.id}`).set(alice.auth)).body.data.alt).not.toBe('mine now');
    });

    it('an admin may edit any image', async () => {
      const res = await patch(image.id, admin, { alt: 'moderated' }).expect(200);
      expect(res.body.data).toMatchObject({ alt: 'moderated', ownerId: alice.id });
    });
  });

  describe('a new focal point drops the crops made around the old one', () => {
    it('cover/contain variants go, others stay; an unchanged focal point or another field drops nothing', async () => {
      const own = await uploadImage(t, alice, await makeImage('jpeg', 120, 90), 'crop.jpg');
      const queries = ['w=40&h=40&fit=cover', 'w=40&h=20&fit=contain', 'w=40'];
      for (const q of queries) expect((await getBytes(t, `/images/${own.id}/content?${q}`, alice.auth)).status).toBe(200);
      const keys = async () => (await variantRows(t, own.id)).map((r) => r.params_key).sort();
      expect(await keys()).toHaveLength(3);

      await patch(own.id, alice, { focalPoint: { x: 0.2, y: 0.8 } }).expect(200);
      expect(await keys()).toEqual(['w=40&h=30']);

      for (const q of queries) await getBytes(t, `/images/${own.id}/content?${q}`, alice.auth);
      await patch(own.id, alice, { focalPoint: { x: 0.2, y: 0.8 }, alt: 'same point' }).expect(200);
      expect(await keys()).toHaveLength(3);
      await patch(own.id, alice, { focalPoint: null }).expect(200);
      expect(await keys()).toEqual(['w=40&h=30']);
    });
  });

  describe('GET /images?checksum=', () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

    it("finds the caller's images with exactly these bytes, in any case, and nobody else's", async () => {
      const bytes = await makeImage('png', 33, 21);
      const mine = await uploadImage(t, alice, bytes, 'a.png');
      const twin = await uploadImage(t, alice, bytes, 'b.png');
      const bobs = await uploadImage(t, bob, bytes, 'c.png');
      const res = await t.http
        .get(`/images?checksum=${sha(bytes).toUpperCase()}`)
        .set(alice.auth)
        .expect(200);
      expect(res.body.data.map((i: ImageBody) => i.id).sort()).toEqual([mine.id, twin.id].sort());
      expect(res.body.meta.total).toBe(2);
      const all = await t.http
        .get(`/images?checksum=${sha(bytes)}`)
        .set(admin.auth)
        .expect(200);
      expect(all.body.data.map((i: ImageBody) => i.id).sort()).toEqual([mine.id, twin.id, bobs.id].sort());
      const bobsOnly = await t.http
        .get(`/images?checksum=${sha(bytes)}&ownerId=${bob.id}`)
        .set(admin.auth)
        .expect(200);
      expect(bobsOnly.body.data.map((i: ImageBody) => i.id)).toEqual([bobs.id]);
      const none = await t.http
        .get(`/images?checksum=${sha(Buffer.from('other'))}`)
        .set(alice.auth)
        .expect(200);
      expect(none.body).toMatchObject({ data: [], meta: { total: 0 } });
    });

    it.each(['abc', 'g'.repeat(64), 'a'.repeat(65), ' '.repeat(64)])('checksum=%j → 400 naming checksum', async (value) => {
      const res = await t.http.get('/images').query({ checksum: value }).set(alice.auth);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(['checksum']);
    });
  });
});
