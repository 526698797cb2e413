import sharp from 'sharp';
import { StorageDriver } from '../../storage/storage-driver';

/**
 * A sharp instance over the stored object `key`. Where the driver names the object for native
 * readers, libvips opens it itself (and seeks as it needs); otherwise the bytes are streamed in,
 * and a failing stream fails the image rather than leaving it waiting.
 */
export async function loadStoredImage(storage: StorageDriver, key: string, options?: sharp.SharpOptions): Promise<sharp.Sharp> {
  const input = await storage.openInput(key);
  if ('location' in input) return sharp(input.location, options);
  // sharp(undefined) is "Invalid input": only a real options object may be passed.
  const image = options ? sharp(options) : sharp();
  input.stream.once('error', (error) => image.destroy(error));
  return input.stream.pipe(image);
}
