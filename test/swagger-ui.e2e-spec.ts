import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, TestBrowser } from './support/chromium';
import { makeImage } from './support/images';
import { createTestApp, TestApp } from './support/test-app';
import { uniqueEmail } from './support/users';

const SHOTS = join(__dirname, '..', 'test-output', 'swagger-ui');

/** A person using /docs: Try it out, Authorize, a reload, a file upload, a read, an edit (PATCH) and a delete. */
describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let docsUrl: string;
  let step = 0;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    docsUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/docs`;
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium({ width: 1280, height: 900 });
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function shot(name: string, target: Page | Locator = page): Promise<void> {
    step += 1;
    await target.screenshot({ path: join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`) });
  }

  /** Expands an operation and switches it to "Try it out". */
  async function tryOut(tag: string, operationId: string): Promise<Locator> {
    const op = page.locator(`#operations-${tag}-${operationId}`);
    if (!(await op.locator('.opblock-body').isVisible())) await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    return op;
  }

  /** Executes and waits for the live response; returns its status and body text. */
  async function execute(op: Locator): Promise<{ status: number; body: string }> {
    // The answer on the wire first: run again, an operation shows its previous answer until the new one renders.
    const answered = page.waitForResponse((response) => ['fetch', 'xhr'].includes(response.request().resourceType()));
    await op.locator('button.execute').click();
    const sent = (await answered).status();
    const live = op.locator('.live-responses-table .response');
    await live
      .locator('.response-col_status', { hasText: new RegExp(`^\\s*${sent}\\b`) })
      .first()
      .waitFor();
    const status = Number((await live.locator('.response-col_status').first().innerText()).trim().slice(0, 3));
    const bodyBlock = live.locator('.response-col_description .highlight-code pre');
    const body = (await bodyBlock.count()) ? await bodyBlock.first().innerText() : '';
    return { status, body };
  }

  it('registers, logs in, authorizes (kept over a reload), uploads, reads, edits and deletes an image', async () => {
    const email = uniqueEmail('swagger');
    const password = 'correct horse battery';
    await page.goto(docsUrl);
    await page.locator('#operations-auth-register').waitFor();
    await shot('docs-loaded');

    const register = await tryOut('auth', 'register');
    const registerBody = register.locator('textarea.body-param__text');
    // The request body starts from the schema's examples.
    await expect(registerBody.inputValue()).resolves.toContain('ada@example.com');
    await registerBody.fill(JSON.stringify({ email, password }, null, 2));
    const registered = await execute(register);
    expect(registered.status).toBe(201);
    expect(JSON.parse(registered.body).data).toMatchObject({ email, role: 'user' });
    await shot('register-201', register);

    const login = await tryOut('auth', 'login');
    await login.locator('textarea.body-param__text').fill(JSON.stringify({ email, password }));
    const loggedIn = await execute(login);
    expect(loggedIn.status).toBe(200);
    const { accessToken } = JSON.parse(loggedIn.body).data as { accessToken: string };
    expect(accessToken.split('.')).toHaveLength(3);
    await shot('login-200', login);

    await page.locator('.scheme-container button.authorize').click();
    const modal = page.locator('.dialog-ux .modal-ux');
    await modal.locator('input').first().fill(accessToken);
    await shot('authorize-token-pasted');
    await modal.locator('button.modal-btn.auth.authorize').click();
    await expect(modal.locator('button.modal-btn.auth').first().innerText()).resolves.toMatch(/logout/i);
    await modal.locator('button.btn-done').click();

    // Settled before the next click: once (of several CI runs) the lock button after the reload never
    // became "visible, enabled and stable" within the default 15 s while the page was still loading.
    await page.reload({ waitUntil: 'networkidle' });
    await page.locator('#operations-images-uploadImage').waitFor();
    const lock = page.locator('.scheme-container button.authorize');
    await lock.waitFor({ state: 'visible' });
    // persistAuthorization: the lock stays closed after a reload, and the modal still says authorized.
    await expect(lock.getAttribute('class')).resolves.toContain('locked');
    await lock.click({ timeout: 30_000 });
    await expect(modal.innerText()).resolves.toMatch(/Authorized/);
    await shot('authorization-kept-after-reload');
    await modal.locator('button.btn-done').click();

    const upload = await tryOut('images', 'uploadImage');
    // The documented 201 shows the Image example before anything is sent.
    await expect(upload.locator('.responses-wrapper').first().innerText()).resolves.toContain('holiday photo.jpg');
    const jpeg = await makeImage('jpeg', 80, 60);
    await upload.locator('input[type=file]').setInputFiles({ name: 'from-the-browser.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    const uploaded = await execute(upload);
    expect(uploaded.status).toBe(201);
    const image = JSON.parse(uploaded.body).data as { id: string };
    expect(image).toMatchObject({ filename: 'from-the-browser.jpg', mimeType: 'image/jpeg', width: 80, height: 60, size: jpeg.length });
    await shot('upload-201', upload);

    const getImage = await tryOut('images', 'getImage');
    await getImage.locator('tr[data-param-name="id"] input').fill(image.id);
    const metadata = await execute(getImage);
    expect(metadata.status).toBe(200);
    expect(JSON.parse(metadata.body).data).toEqual(image);
    await shot('metadata-200', getImage);

    const updateImage = await tryOut('images', 'updateImage');
    await updateImage.locator('tr[data-param-name="id"] input').fill(image.id);
    const edit = { alt: 'Noise, typed in the browser', focalPoint: { x: 0.25, y: 0.75 } };
    await updateImage.locator('textarea.body-param__text').fill(JSON.stringify(edit, null, 2));
    const updated = await execute(updateImage);
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.body).data).toEqual({ ...image, ...edit });
    await shot('patch-200', updateImage);

    const deleteImage = await tryOut('images', 'deleteImage');
    await deleteImage.locator('tr[data-param-name="id"] input').fill(image.id);
    const deleted = await execute(deleteImage);
    expect(deleted.status).toBe(204);
    await shot('delete-204', deleteImage);

    const again = await execute(getImage);
    expect(again.status).toBe(404);
    expect(JSON.parse(again.body)).toMatchObject({ status: 404, code: 'IMAGE_NOT_FOUND' });
    await shot('metadata-404-after-delete', getImage);
  });
});
