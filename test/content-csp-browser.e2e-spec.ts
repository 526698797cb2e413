import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { launchChromium, TestBrowser } from './support/chromium';
import { createTestApp, TestApp } from './support/test-app';
import { uploadImage } from './support/uploads';
import { registerUser, TestUser } from './support/users';

/**
 * A valid 1×1 GIF whose bytes are also JavaScript: `GIF89a/*…*\/=0;window.__pwned=1;/*…*\/\/…`.
 * The logical screen width is the bytes `/*`, and two GIF comment extensions close and reopen
 * the JS comments, so nothing follows the GIF trailer (no polyglot check can refuse it).
 */
function gifThatIsJavaScript(): Buffer {
  const comment = (text: string) => {
    const data = Buffer.from(text, 'latin1');
    return Buffer.concat([Buffer.from([0x21, 0xfe, data.length]), data, Buffer.from([0])]);
  };
  return Buffer.concat([
    Buffer.from('GIF89a/*', 'latin1'),
    Buffer.from([10, 0, 0x80, 0, 0]), // height 10, a global table of 2 colours
    Buffer.from([0, 0, 0, 255, 255, 255]),
    comment('*/=0;window.__pwned=1;/*'),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]), // one 1×1 frame at 0,0
    Buffer.from([2, 2, 0x44, 1, 0]), // its LZW data
    comment('*///'),
    Buffer.from([0x3b]),
  ]);
}

/** What the polyglot's script would set, read in the page. */
const PWNED = 'window.__pwned';

/** Chromium, given the URL of an uploaded image whose bytes are also a script, runs none of it. */
describe('content in Chromium: no script runs from an uploaded image', () => {
  let t: TestApp;
  let user: TestUser;
  let browser: TestBrowser;
  let page: Page;
  let origin: string;
  let imageUrl: string;
  const gif = gifThatIsJavaScript();

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    user = await registerUser(t);
    const image = await uploadImage(t, user, gif, 'polyglot.gif');
    const link = await t.http.post(`/images/${image.id}/links`).set(user.auth).send({}).expect(201);
    imageUrl = `${origin}${link.body.data.url}`;
    browser = await launchChromium();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A page on the app's own origin (served by the browser's router, not by the app), then loaded. */
  async function pageOnAppOrigin(html: string): Promise<void> {
    const url = `${origin}/__test-page.html`;
    await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
    await page.goto(url);
    await page.unroute(url);
  }

  it('the bytes are valid JavaScript: served as a script they do set the flag (the control)', async () => {
    await pageOnAppOrigin('<!doctype html><title>control</title>');
    // The page has no DOM types here (Node's lib): the browser-side code is a string.
    const ran = await page.evaluate(`(async (bytes) => {
      const script = document.createElement('script');
      script.src = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'text/javascript' }));
      await new Promise((done) => { script.onload = done; script.onerror = done; document.head.append(script); });
      return window.__pwned;
    })(${JSON.stringify(Array.from(gif))})`);
    expect(ran).toBe(1);
  });

  it('<script src> of the image URL on the app’s origin runs nothing', async () => {
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    await pageOnAppOrigin(`<!doctype html><title>script</title><script src="${imageUrl}"></script>`);
    await expect(page.evaluate(PWNED)).resolves.toBeUndefined();
    // Chromium refuses image/* as a script whatever the other headers say (and nosniff forbids sniffing).
    expect(console.join('\n')).toMatch(/Refused to execute script .* MIME type \('image\/gif'\)/);
  });

  it('opened directly, the image document is sandboxed by its CSP: opaque origin, no script', async () => {
    const response = await page.goto(imageUrl);
    expect(response?.status()).toBe(200);
    expect(await response?.headerValue('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await response?.headerValue('x-content-type-options')).toBe('nosniff');
    // `sandbox` gives the document an opaque origin: the browser applied the policy.
    await expect(page.evaluate('window.origin')).resolves.toBe('null');
    await expect(page.evaluate(PWNED)).resolves.toBeUndefined();
  });

  it('in an <iframe> on the app’s origin, the image document is sandboxed: opaque origin, cut off from its parent', async () => {
    await pageOnAppOrigin(`<!doctype html><title>frame</title><iframe src="${imageUrl}"></iframe>`);
    const frame = page.frames().find((f) => f.url() === imageUrl);
    expect(frame).toBeDefined();
    await frame!.waitForLoadState();
    await expect(frame!.evaluate('window.origin')).resolves.toBe('null');
    await expect(
      frame!.evaluate(`(() => { try { return window.parent.document.title; } catch { return 'cross-origin'; } })()`),
    ).resolves.toBe('cross-origin');
    await expect(page.evaluate(PWNED)).resolves.toBeUndefined();
  });
});
