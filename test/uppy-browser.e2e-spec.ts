import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, TestBrowser } from './support/chromium';
import sharp from 'sharp';
import { createTestApp, TestApp } from './support/test-app';
import { resumableRows, sha256 } from './support/tus';
import { registerUser } from './support/users';

const SHOTS = join(__dirname, '..', 'test-output', 'uppy');
/** Uppy's published browser bundle, as npm ships it (no build step of ours). */
const UPPY = join(__dirname, '..', 'node_modules', 'uppy', 'dist');

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Uppy → /uploads</title>
<link rel="stylesheet" href="/uppy-test/uppy.min.css"></head>
<body><div id="drop"></div>
<script src="/uppy-test/uppy.min.js"></script>
<script>
  const { Uppy, Dashboard, Tus } = window.Uppy;
  const token = location.hash.slice(1);
  window.uppy = new Uppy({ autoProceed: false })
    .use(Dashboard, { inline: true, target: '#drop', height: 420, proudlyDisplayPoweredByUppy: false })
    .use(Tus, { endpoint: '/uploads', chunkSize: 64 * 1024, retryDelays: [0, 300, 1000], headers: { Authorization: 'Bearer ' + token } });
</script></body></html>`;

/** Uppy (Dashboard + Tus) in Chromium: an image through a test page, one injected network failure. */
describe('Uppy in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium({ width: 900, height: 600 });
    page = browser.page;
    page.setDefaultTimeout(30_000);
    // The test page and the bundle, served on the API's own origin (so no CORS is involved).
    await page.route(`${base}/uppy-test/**`, (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop()!;
      if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
      const type = name.endsWith('.css') ? 'text/css' : 'application/javascript';
      return route.fulfill({ contentType: type, body: readFileSync(join(UPPY, name)) });
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('uploads an image through a network failure; the image then appears in GET /images', async () => {
    const user = await registerUser(t);
    // Noise, so the PNG is a few chunks long (~300 KB).
    const png = await sharp({
      create: { width: 320, height: 320, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png()
      .toBuffer();
    expect(png.length).toBeGreaterThan(3 * 64 * 1024);
    const failed: string[] = [];
    const methods: string[] = [];
    // One PATCH is cut as if the network dropped; Uppy's tus client asks for the offset and goes on.
    await page.route(`${base}/uploads/*`, async (route) => {
      const method = route.request().method();
      methods.push(method);
      if (method === 'PATCH' && failed.length === 0 && methods.filter((m) => m === 'PATCH').length === 2) {
        failed.push(route.request().url());
        return route.abort('connectionreset');
      }
      return route.continue();
    });

    await page.goto(`${base}/uppy-test/index.html#${user.accessToken}`);
    await page.waitForFunction(() => Boolean((globalThis as unknown as { uppy?: unknown }).uppy));
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const uppy = (globalThis as unknown as { uppy: { addFile(f: object): void } }).uppy;
      uppy.addFile({ name: 'from-uppy.png', type: 'image/png', data: new Blob([bytes], { type: 'image/png' }) });
    }, png.toString('base64'));
    await page.screenshot({ path: join(SHOTS, '01-file-added.png') });

    const result = await page.evaluate(async () => {
      const uppy = (globalThis as unknown as { uppy: { upload(): Promise<{ successful: { uploadURL?: string }[]; failed: unknown[] }> } })
        .uppy;
      const r = await uppy.upload();
      return { successful: r.successful.map((f) => f.uploadURL ?? ''), failed: r.failed.length };
    });
    await page.screenshot({ path: join(SHOTS, '02-uploaded.png') });

    expect(failed).toHaveLength(1);
    expect(methods).toContain('HEAD');
    expect(result.failed).toBe(0);
    expect(result.successful).toHaveLength(1);

    const list = await t.http.get('/images').set(user.auth).expect(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({
      filename: 'from-uppy.png',
      mimeType: 'image/png',
      width: 320,
      height: 320,
      size: png.length,
    });
    expect(list.body.data[0].checksum).toBe(sha256(png));
    expect(await resumableRows(t)).toBe(0);

    // What a person sees of it: the image, as the API serves it.
    await page.unroute(`${base}/uploads/*`);
    await page.setExtraHTTPHeaders(user.auth);
    await page.goto(`${base}/images/${list.body.data[0].id}/content`);
    await page.screenshot({ path: join(SHOTS, '03-served-by-the-api.png') });
  }, 120_000);
});
