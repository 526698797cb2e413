import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, TestBrowser } from './support/chromium';
import { animatedImage } from './support/animated';
import { makeImage } from './support/images';
import { createTestApp, TestApp } from './support/test-app';
import { uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const SHOTS = join(__dirname, '..', 'test-output', 'delivery-browser');

/** Signed `format=auto` links in `<img src>`, as a page on the app's origin shows them to Chromium. */
describe('delivery in Chromium: format=auto, decoding and animation', () => {
  let t: TestApp;
  let user: TestUser;
  let browser: TestBrowser;
  let page: Page;
  let origin: string;
  let photoId: string;
  let photoUrl: string;
  let animationUrl: string;
  /** Content type of every response the page received, by URL. */
  const seen = new Map<string, string>();

  const signedLink = async (id: string, body: object) => {
    const res = await t.http.post(`/images/${id}/links`).set(user.auth).send(body).expect(201);
    return `${origin}${res.body.data.url}`;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    user = await registerUser(t);
    const photo = await uploadImage(t, user, await makeImage('jpeg', 320, 240), 'photo.jpg');
    // Three frames of clearly different colours, 400 ms each, looping for ever.
    const animation = await uploadImage(t, user, await animatedImage('webp', 3, 240, 160, 0, 400), 'anim.webp');
    photoId = photo.id;
    photoUrl = await signedLink(photoId, { w: 160, format: 'auto' });
    animationUrl = await signedLink(animation.id, { w: 120, format: 'auto' });
    browser = await launchChromium();
    page = browser.page;
    page.setDefaultTimeout(15_000);
    page.on('response', (response) => seen.set(response.url(), response.headers()['content-type'] ?? ''));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A page on the app's own origin (served by the browser's router, not by the app), then loaded. */
  async function showImages(name: string, urls: string[]): Promise<void> {
    const url = `${origin}/__${name}.html`;
    const images = urls.map((src, i) => `<img id="i${i}" src="${src}">`).join('');
    await page.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><body style="margin:0">${images}` }),
    );
    await page.goto(url);
    await page.unroute(url);
    await page.evaluate(`Promise.all([...document.images].map((img) => img.decode()))`);
  }

  const naturalWidth = (id: string) => page.evaluate(`document.getElementById('${id}').naturalWidth`);

  it("Chromium's own Accept gets AVIF, which it decodes at the requested width", async () => {
    await showImages('photo', [photoUrl]);
    expect(seen.get(photoUrl)).toBe('image/avif');
    await expect(naturalWidth('i0')).resolves.toBe(160);
    writeFileSync(join(SHOTS, 'avif-photo.png'), await page.screenshot());
  });

  it('an animated WebP stays animated: two screenshots at different times differ', async () => {
    await showImages('animation', [animationUrl]);
    expect(seen.get(animationUrl)).toBe('image/webp');
    await expect(naturalWidth('i0')).resolves.toBe(120);
    const element = page.locator('#i0');
    const first = await element.screenshot();
    writeFileSync(join(SHOTS, 'animation-1.png'), first);
    // Polls (no timing asserted): within a few frame delays the picture must change.
    let later = first;
    for (let attempt = 0; attempt < 20 && later.equals(first); attempt++) {
      await page.waitForTimeout(150);
      later = await element.screenshot();
    }
    writeFileSync(join(SHOTS, 'animation-2.png'), later);
    expect(later.equals(first)).toBe(false);
  });

  it('a request whose Accept lists only image/webp gets WebP', async () => {
    // Another link to the same variant parameters: a URL the browser has not cached as AVIF.
    const webpUrl = await signedLink(photoId, { w: 160, format: 'auto', expiresIn: 1800 });
    await page.route(webpUrl, (route) => route.continue({ headers: { ...route.request().headers(), accept: 'image/webp' } }));
    await showImages('webp-only', [webpUrl]);
    await page.unroute(webpUrl);
    expect(seen.get(webpUrl)).toBe('image/webp');
    await expect(naturalWidth('i0')).resolves.toBe(160);
    writeFileSync(join(SHOTS, 'webp-photo.png'), await page.screenshot());
  });
});
