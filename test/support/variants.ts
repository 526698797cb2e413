import sharp from 'sharp';
import { binary } from './binary';
import { TestApp, storedFiles, variantsSettled } from './test-app';

/** GET with the body kept as bytes. */
export function getBytes(t: TestApp, url: string, headers: Record<string, string> = {}) {
  return t.http.get(url).set(headers).buffer(true).parse(binary);
}

/** Width, height and format of an encoded image, as sharp decodes it. */
export async function decoded(bytes: Buffer): Promise<sharp.Metadata> {
  return sharp(bytes).metadata();
}

/** The variant rows (of one image, or all), once what the app answered before storing is stored. */
export async function variantRows(t: TestApp, imageId?: string): Promise<Array<Record<string, unknown>>> {
  await variantsSettled(t);
  if (!imageId) return t.dataSource.query('SELECT * FROM image_variants');
  return t.dataSource.query('SELECT * FROM image_variants WHERE image_id = ?', [imageId]);
}

/** Stored variant objects (`variants/<imageId>/<hash>.<ext>`), through the app's own driver. */
export async function variantFiles(t: TestApp, imageId = ''): Promise<string[]> {
  return (await storedFiles(t)).filter((key) => key.startsWith(`variants/${imageId}`));
}

/** A JPEG whose pixels are `width`×`height` but whose EXIF says "rotate 90° clockwise to display". */
export async function exifRotatedJpeg(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) & 0xff;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}
