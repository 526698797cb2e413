import { createTestApp, TestApp } from './support/test-app';
import { listeningPort } from './support/uploads';
import { startTcpProxy } from './support/tcp-proxy';
import { noisePng, resumableRows, runTusClient, sha256 } from './support/tus';
import { registerUser } from './support/users';

const MB = 1024 * 1024;

/** tus-js-client (npm, unedited) in Node: a 50 MB image in 5 MB chunks, cut mid-chunk, resumed from the server's offset. */
describe('tus-js-client', () => {
  let t: TestApp;
  let appPort: number;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_CONTENT_LENGTH: '64MB' } });
    appPort = await listeningPort(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('uploads a 50 MB image in 5 MB chunks, is cut mid-chunk, resumes from the offset the server reports', async () => {
    const user = await registerUser(t);
    const png = await noisePng(50);
    expect(png.length).toBeGreaterThan(50 * MB);
    // Past two chunks and a half: the third PATCH dies mid-body.
    let cuts = 0;
    const proxy = await startTcpProxy(appPort, (sent) => cuts === 0 && sent > 12.5 * MB && ++cuts === 1);
    const patches: number[] = [];
    const { heads, imageLocation } = await runTusClient(png, () => ({
      endpoint: `http://127.0.0.1:${proxy.port}/uploads`,
      chunkSize: 5 * MB,
      retryDelays: [0, 200, 1000, 2000],
      headers: { Authorization: `Bearer ${user.accessToken}` },
      metadata: { filename: 'noise.png', filetype: 'image/png' },
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') patches.push(Number(req.getHeader('Upload-Offset')));
      },
    })).finally(() => proxy.close());
    expect(cuts).toBe(1);
    // After the cut the client asked where to go on, and went on from exactly there. A HEAD that
    // races the cut PATCH's last write can report the offset before it (the bytes land after the
    // lock is handed over); the client's PATCH from there gets 409 and it asks again: the last
    // answer is the one it resumes from.
    expect(heads.length).toBeGreaterThanOrEqual(1);
    expect(heads.length).toBeLessThanOrEqual(2);
    const resumedAt = heads[heads.length - 1];
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(15 * MB);
    const afterCut = patches.indexOf(resumedAt, 1);
    expect(afterCut).toBeGreaterThan(0);
    expect(patches.slice(afterCut + 1).every((offset, i) => offset > patches[afterCut + i])).toBe(true);

    expect(imageLocation).toMatch(/^\/images\/[0-9a-f-]{36}$/);
    const image = await t.http.get(imageLocation!).set(user.auth).expect(200);
    expect(image.body.data).toMatchObject({ filename: 'noise.png', mimeType: 'image/png', size: png.length });
    expect(image.body.data.checksum).toBe(sha256(png));
    expect(await resumableRows(t)).toBe(0);
  }, 240_000);
});
