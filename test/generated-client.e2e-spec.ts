import type { AddressInfo } from 'node:net';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './client/schema';
import { makeImage } from './support/images';
import { isUuid } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { uniqueEmail } from './support/users';

/**
 * A client generated from the committed openapi.json (openapi-typescript types + openapi-fetch),
 * used as generated against the real app on a real port: if the spec lies, this fails to compile
 * or to run.
 */
describe('generated OpenAPI client', () => {
  let t: TestApp;
  let baseUrl: string;
  let anonymous: Client<paths>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    anonymous = createClient<paths>({ baseUrl });
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * openapi-fetch sends a plain object as JSON; the upload's typed body `{ file: Blob }` must go as
   * multipart/form-data, so it is serialised into FormData (fetch then sets the boundary itself).
   */
  const multipart = (body: { file: Blob }): FormData => {
    const form = new FormData();
    form.append('file', body.file);
    return form;
  };

  async function signIn(): Promise<Client<paths>> {
    const credentials = { email: uniqueEmail('client'), password: 'correct horse battery' };
    const registered = await anonymous.POST('/auth/register', { body: credentials });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.data).toMatchObject({ email: credentials.email, role: 'user' });
    expect(isUuid(registered.data?.data.id)).toBe(true);

    const loggedIn = await anonymous.POST('/auth/login', { body: credentials });
    expect(loggedIn.response.status).toBe(200);
    const tokens = loggedIn.data!.data;
    expect(tokens.tokenType).toBe('Bearer');
    return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${tokens.accessToken}` } });
  }

  it('registers, logs in, uploads, lists, reads, downloads, links and deletes an image', async () => {
    const client = await signIn();
    const jpeg = await makeImage('jpeg', 40, 30);

    const uploaded = await client.POST('/images', {
      body: { file: new File([jpeg], 'holiday photo.jpg', { type: 'image/jpeg' }) },
      bodySerializer: multipart,
    });
    expect(uploaded.error).toBeUndefined();
    expect(uploaded.response.status).toBe(201);
    const image = uploaded.data!.data;
    expect(image).toMatchObject({
      filename: 'holiday photo.jpg',
      mimeType: 'image/jpeg',
      extension: 'jpg',
      width: 40,
      height: 30,
      size: jpeg.length,
    });
    expect(uploaded.response.headers.get('location')).toBe(`/images/${image.id}`);

    const list = await client.GET('/images', { params: { query: { page: 1, limit: 10, sort: 'uploadedAt', order: 'desc' } } });
    expect(list.response.status).toBe(200);
    expect(list.data?.data.map((item) => item.id)).toEqual([image.id]);
    expect(list.data?.meta).toEqual({ page: 1, limit: 10, total: 1, totalPages: 1 });

    const metadata = await client.GET('/images/{id}', { params: { path: { id: image.id } } });
    expect(metadata.data?.data).toEqual(image);

    const edited = await client.PATCH('/images/{id}', {
      params: { path: { id: image.id } },
      body: { filename: 'renamed.jpg', alt: 'Noise', focalPoint: { x: 0.5, y: 0.25 } },
    });
    expect(edited.response.status).toBe(200);
    expect(edited.data?.data).toEqual({ ...image, filename: 'renamed.jpg', alt: 'Noise', focalPoint: { x: 0.5, y: 0.25 } });
    const cleared = await client.PATCH('/images/{id}', { params: { path: { id: image.id } }, body: { alt: null, focalPoint: null } });
    expect(cleared.data?.data).toMatchObject({ alt: null, focalPoint: null, filename: 'renamed.jpg' });
    Object.assign(image, cleared.data!.data);

    const byChecksum = await client.GET('/images', { params: { query: { checksum: image.checksum, page: 1, limit: 10, order: 'desc' } } });
    expect(byChecksum.data?.data.map((item) => item.id)).toEqual([image.id]);

    const content = await client.GET('/images/{id}/content', { params: { path: { id: image.id } }, parseAs: 'arrayBuffer' });
    expect(content.response.status).toBe(200);
    expect(content.response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.compare(Buffer.from(content.data!), jpeg)).toBe(0);

    const link = await client.POST('/images/{id}/links', { params: { path: { id: image.id } }, body: { expiresIn: 600 } });
    expect(link.response.status).toBe(201);
    const { url, expiresAt } = link.data!.data;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(500_000);
    // The signed URL is for an <img src>: a plain request, no bearer token.
    const viaLink = await fetch(new URL(url, baseUrl));
    expect(viaLink.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await viaLink.arrayBuffer()), jpeg)).toBe(0);

    const deleted = await client.DELETE('/images/{id}', { params: { path: { id: image.id } } });
    expect(deleted.response.status).toBe(204);
    expect(deleted.error).toBeUndefined();

    const gone = await client.GET('/images/{id}', { params: { path: { id: image.id } } });
    expect(gone.response.status).toBe(404);
    expect(gone.error?.code).toBe('IMAGE_NOT_FOUND');
  });

  it('reads a 415 as typed problem details', async () => {
    const client = await signIn();
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);

    const rejected = await client.POST('/images', {
      body: { file: new File([exe], 'setup.exe', { type: 'application/octet-stream' }) },
      bodySerializer: multipart,
    });

    expect(rejected.data).toBeUndefined();
    expect(rejected.response.status).toBe(415);
    expect(rejected.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = rejected.error!;
    expect(problem).toMatchObject({
      type: 'about:blank',
      title: 'Unsupported Media Type',
      status: 415,
      code: 'UNSUPPORTED_FILE_TYPE',
      instance: '/images',
    });
    expect(problem.detail).toContain('.exe');
    expect(problem.requestId).toBe(rejected.response.headers.get('x-request-id'));
  });

  it('sends no token where the spec says none is needed, and a 401 problem where one is', async () => {
    const health = await anonymous.GET('/health');
    expect(health.response.status).toBe(200);
    expect(health.data).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, storage: { status: 'up' } } });

    const me = await anonymous.GET('/auth/me');
    expect(me.response.status).toBe(401);
    expect(me.error?.code).toBe('UNAUTHORIZED');
  });
});
