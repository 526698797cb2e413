import { binary } from './support/binary';
import { createTestApp, storedFiles, TestApp } from './support/test-app';
import { makeImage } from './support/images';
import { registerUser } from './support/users';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('uploads, reads and deletes an image', async () => {
    const user = await registerUser(t);
    const jpeg = await makeImage('jpeg');
    const up = await t.http.post('/images').set(user.auth).attach('file', jpeg, 'photo.jpg');
    expect(up.status).toBe(201);
    expect(up.body.data).toMatchObject({ mimeType: 'image/jpeg', extension: 'jpg', width: 64, height: 48, size: jpeg.length });
    await expect(storedFiles(t)).resolves.toEqual([`images/${up.body.data.id}`]);
    const dl = await t.http.get(`/images/${up.body.data.id}/content`).set(user.auth).buffer(true).parse(binary);
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body as Buffer, jpeg)).toBe(0);
    await t.http.delete(`/images/${up.body.data.id}`).set(user.auth).expect(204);
    await expect(storedFiles(t)).resolves.toEqual([]);
  });
});
