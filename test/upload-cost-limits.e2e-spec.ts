import sharp from 'sharp';
import type { Response } from 'supertest';
import { zeroPng } from './support/crafted-images';
import { expectProblem } from './support/problem-details';
import { createTestApp, TestApp } from './support/test-app';
import { leftovers, upload } from './support/uploads';
import { registerUser } from './support/users';

/** Issue 11 item 3: MAX_IMAGE_SIDE and MAX_DECODE_MEMORY, checked from the header before any pixel is decoded. */
describe('POST /images — cost checks from the header', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close()));
  });

  /** Uploads to a fresh app (configured by `env`) and checks what is left behind. */
  async function uploadTo(env: Record<string, string>, file: Buffer, name: string): Promise<{ res: Response; t: TestApp }> {
    const t = await createTestApp({ env });
    apps.push(t);
    const user = await registerUser(t);
    return { res: await upload(t, user, file, name), t };
  }

  async function expectRefused(env: Record<string, string>, file: Buffer, code: string, detail: RegExp): Promise<void> {
    const { res, t } = await uploadTo(env, file, 'crafted.png');
    expectProblem(res, 422, code);
    expect(res.body.detail).toMatch(detail);
    await expect(leftovers(t)).resolves.toEqual({ files: [], rows: 0 });
  }

  async function expectStored(env: Record<string, string>, file: Buffer, width: number, height: number): Promise<void> {
    const { res, t } = await uploadTo(env, file, 'crafted.png');
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 201, body: { data: { width, height } } });
    await expect(leftovers(t)).resolves.toEqual({ files: [`images/${res.body.data.id}`], rows: 1 });
  }

  describe('with the defaults', () => {
    it('a 1 × 5 000 000 8-bit grey PNG (a ~10 KB file) → 422 IMAGE_DIMENSIONS_TOO_LARGE, nothing kept', async () => {
      const tall = await zeroPng({ width: 1, height: 5_000_000 });
      expect(tall.length).toBeLessThan(20_000);
      await expectRefused({}, tall, 'IMAGE_DIMENSIONS_TOO_LARGE', /1×5000000; neither side may exceed 16384/);
    });

    it('16385 × 1 → 422 IMAGE_DIMENSIONS_TOO_LARGE; 16384 × 1 → 201', async () => {
      await expectRefused({}, await zeroPng({ width: 16_385, height: 1, colourType: 2 }), 'IMAGE_DIMENSIONS_TOO_LARGE', /16385×1/);
      await expectStored({}, await zeroPng({ width: 16_384, height: 1, colourType: 2 }), 16_384, 1);
    });

    it('a 16-bit RGBA interlaced PNG of 5800 × 5800 (under MAX_IMAGE_PIXELS, 269 120 000 bytes to decode) → 422 IMAGE_TOO_COMPLEX', async () => {
      const png = await zeroPng({ width: 5800, height: 5800, colourType: 6, bitDepth: 16, interlaced: true });
      expect(await sharp(png).metadata()).toMatchObject({ channels: 4, depth: 'ushort', isProgressive: true });
      expect(5800 * 5800).toBeLessThan(50_000_000);
      await expectRefused({}, png, 'IMAGE_TOO_COMPLEX', /269120000 bytes of memory; the limit is 268435456/);
    });

    it('an 8-bit RGBA image of 5800 × 5800 still passes (8-bit images within MAX_IMAGE_PIXELS fit the default budget)', async () => {
      await expectStored({}, await zeroPng({ width: 5800, height: 5800, colourType: 6 }), 5800, 5800);
    });
  });

  describe('MAX_DECODE_MEMORY exactly at the cost and one byte under it', () => {
    let png: Buffer;
    let cost: number;
    beforeAll(async () => {
      png = await zeroPng({ width: 64, height: 48, colourType: 6, bitDepth: 16, interlaced: true });
      const meta = await sharp(png).metadata();
      expect(meta).toMatchObject({ width: 64, height: 48, channels: 4, depth: 'ushort' });
      cost = 64 * 48 * 4 * 2;
    });

    it('MAX_DECODE_MEMORY = the cost → 201', async () => {
      await expectStored({ MAX_DECODE_MEMORY: String(cost) }, png, 64, 48);
    });

    it('MAX_DECODE_MEMORY = the cost − 1 → 422 IMAGE_TOO_COMPLEX, nothing kept', async () => {
      await expectRefused({ MAX_DECODE_MEMORY: String(cost - 1) }, png, 'IMAGE_TOO_COMPLEX', new RegExp(`need ${cost} bytes`));
    });
  });

  it('MAX_IMAGE_SIDE is configurable: 64 refuses a 65-wide image and takes a 64-wide one', async () => {
    await expectRefused(
      { MAX_IMAGE_SIDE: '64' },
      await zeroPng({ width: 65, height: 2 }),
      'IMAGE_DIMENSIONS_TOO_LARGE',
      /neither side may exceed 64/,
    );
    await expectStored({ MAX_IMAGE_SIDE: '64' }, await zeroPng({ width: 64, height: 64 }), 64, 64);
  });
});
