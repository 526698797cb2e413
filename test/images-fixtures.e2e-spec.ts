import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import sharp from 'sharp';
import { binary } from './support/binary';
import { fixtureImages, isIntentionallyInvalid } from './support/fixture-images';
import { expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { leftovers, upload } from './support/uploads';
import { registerUser, TestUser } from './support/users';

const files = fixtureImages();

describe('real images made by others (Go test data, PngSuite, x/image)', () => {
  let t: TestApp;
  let user: TestUser;
  const outcome = { accepted: 0, rejectedInvalid: [] as string[], acceptedInvalid: [] as string[] };

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => {
    process.stdout.write(
      `fixtures: ${files.length} files; ${outcome.accepted} valid accepted; ` +
        `intentionally invalid rejected: ${outcome.rejectedInvalid.join(', ') || 'none'}; ` +
        `intentionally invalid but decodable, accepted: ${outcome.acceptedInvalid.join(', ') || 'none'}\n`,
    );
    await t.close();
  });

  it('finds the fixture images', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files.map((path) => [basename(path), path]))('%s', async (_name, path) => {
    const bytes = readFileSync(path);
    const before = await leftovers(t);
    const res = await upload(t, user, bytes, basename(path));
    if (res.status !== 201 && isIntentionallyInvalid(path)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectProblem(res, res.status, res.body.code);
      await expect(leftovers(t)).resolves.toEqual(before);
      outcome.rejectedInvalid.push(`${basename(path)} (${res.status} ${res.body.code})`);
      return;
    }
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201 });
    const meta = await sharp(path).metadata();
    // As displayed: EXIF orientations 5–8 turn the stored pixels by 90°.
    const [w, h] = [meta.width, meta.pageHeight ?? meta.height];
    const turned = (meta.orientation ?? 1) >= 5;
    expect(res.body.data).toMatchObject({ size: bytes.length, width: turned ? h : w, height: turned ? w : h });
    const dl = await t.http.get(res.body.data.url).set(user.auth).buffer(true).parse(binary);
    expect(dl.status).toBe(200);
    expect(Buffer.compare(dl.body, bytes)).toBe(0);
    if (isIntentionallyInvalid(path)) outcome.acceptedInvalid.push(basename(path));
    else outcome.accepted += 1;
  });
});
