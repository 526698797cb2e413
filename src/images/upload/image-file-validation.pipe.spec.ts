import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PLAIN_TEXT, truncated } from '../../../test/support/bad-images';
import { makeImage, pngWithClaimedSize } from '../../../test/support/images';
import { ErrorCode } from '../../common/errors';
import { parseEnv } from '../../config';
import { LocalDiskStorage } from '../../storage/local-disk.storage';
import { imageWorkConfig } from '../config/image-work.config';
import { uploadConfig } from '../config/upload.config';
import { ImageWorkScheduler } from '../work/image-work-scheduler';
import { ImageDecoder } from './image-decoder';
// The module object itself, so that jest can replace its function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jpegHeader = require('./jpeg-header');
import { ImageFileValidationPipe } from './image-file-validation.pipe';
import { ReceivedUpload } from './received-upload';
import { InlineBudget, InlineBytes } from './inline-bytes';
import { UploadInspection } from './upload-inspection';

describe('ImageFileValidationPipe (plain classes over a real LocalDiskStorage)', () => {
  let root: string;
  let storage: LocalDiskStorage;
  let pipe: ImageFileValidationPipe;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'validation-pipe-'));
    storage = new LocalDiskStorage(root);
    const env = parseEnv({ ALLOWED_FILE_EXTENSIONS: 'jpg,png,gif,webp', MAX_IMAGE_PIXELS: '1000000' });
    const upload = uploadConfig(env);
    const work = imageWorkConfig(env);
    pipe = new ImageFileValidationPipe(storage, new ImageDecoder(storage, upload, work), new ImageWorkScheduler(work), upload);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Stores `bytes` under a temporary key, as the multipart receiver does, and describes the upload. */
  async function received(bytes: Buffer, filename: string): Promise<ReceivedUpload> {
    const tempKey = `tmp/${createHash('sha256').update(filename).digest('hex').slice(0, 16)}`;
    const { size, sha256 } = await storage.put(tempKey, Readable.from([bytes]));
    return { tempKey, filename, size, sha256, ownerId: 'u1' };
  }

  const refusal = async (upload: ReceivedUpload | undefined) =>
    pipe.transform(upload).then(
      () => undefined,
      (error: { code: string; detail: string }) => error,
    );

  it('passes a good image, adding its type, size and metadata from the bytes', async () => {
    const upload = await received(await makeImage('png', 40, 30), 'photo.png');
    await expect(pipe.transform(upload)).resolves.toEqual({
      ...upload,
      mimeType: 'image/png',
      extension: 'png',
      width: 40,
      height: 30,
      orientation: 1,
      metadata: {
        animated: false,
        frames: 1,
        camera: null,
        takenAt: null,
        dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/),
        thumbhash: expect.any(String),
      },
    });
  });

  it("hashes the bytes in its end-of-image scan when the receiver did not (a resumable upload's)", async () => {
    const bytes = Buffer.concat([await makeImage('jpeg', 300, 200), Buffer.alloc(1000)]);
    const { sha256, ...unhashed } = await received(bytes, 'photo.jpg');
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    await expect(pipe.transform(unhashed)).resolves.toMatchObject({ sha256, size: bytes.length, mimeType: 'image/jpeg' });
    // The receiver's own hash is kept as it is (the pipe never hashes twice).
    await expect(pipe.transform({ ...unhashed, sha256: 'f'.repeat(64) })).resolves.toMatchObject({ sha256: 'f'.repeat(64) });
  });

  it('refuses a missing and an empty file', async () => {
    await expect(refusal(undefined)).resolves.toMatchObject({ code: ErrorCode.FILE_REQUIRED });
    await expect(refusal(await received(Buffer.alloc(0), 'empty.png'))).resolves.toMatchObject({ code: ErrorCode.EMPTY_FILE });
  });

  it('checks the extension before reading any byte', async () => {
    await expect(refusal({ tempKey: 'tmp/never-written', filename: 'photo', size: 10, sha256: '' })).resolves.toMatchObject({
      code: ErrorCode.UNSUPPORTED_FILE_TYPE,
      detail: expect.stringContaining('without an extension'),
    });
    await expect(refusal({ tempKey: 'tmp/never-written', filename: 'photo.bmp', size: 10, sha256: '' })).resolves.toMatchObject({
      code: ErrorCode.UNSUPPORTED_FILE_TYPE,
      detail: expect.stringContaining("'.bmp'"),
    });
  });

  it('refuses bytes that are no accepted image, and bytes of another type than the name says', async () => {
    await expect(refusal(await received(PLAIN_TEXT, 'notes.png'))).resolves.toMatchObject({ code: ErrorCode.UNSUPPORTED_FILE_TYPE });
    await expect(refusal(await received(await makeImage('jpeg'), 'photo.png'))).resolves.toMatchObject({
      code: ErrorCode.CONTENT_TYPE_MISMATCH,
      detail: "The file is named '.png' but its bytes are image/jpeg",
    });
  });

  it('refuses data after the image, a truncated image, and one over the pixel limit', async () => {
    const png = await makeImage('png');
    await expect(refusal(await received(Buffer.concat([png, Buffer.from('PK\x03\x04 zip')]), 'trailing.png'))).resolves.toMatchObject({
      code: ErrorCode.IMAGE_CORRUPT,
      detail: expect.stringContaining("Data follows the image's end"),
    });
    await expect(refusal(await received(truncated(png, 0.5), 'cut.png'))).resolves.toMatchObject({ code: ErrorCode.IMAGE_CORRUPT });
    await expect(refusal(await received(pngWithClaimedSize(2000, 1000), 'huge.png'))).resolves.toMatchObject({
      code: ErrorCode.IMAGE_DIMENSIONS_TOO_LARGE,
    });
  });

  describe('bytes the receiver kept in memory (a small multipart upload)', () => {
    /** As the receiver describes it: inspected while streaming, kept in `budget`; nothing in storage. */
    function kept(bytes: Buffer, filename: string, budget: InlineBudget): ReceivedUpload {
      const inspection = new UploadInspection(new InlineBytes(budget));
      for (let at = 0; at < bytes.length; at += 16_384) inspection.observe(bytes.subarray(at, at + 16_384));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return { tempKey: 'tmp/not-in-storage', filename, size: bytes.length, sha256, ownerId: 'u1', inspected: inspection.result() };
    }

    it('decodes them without reading storage, answers as from storage, and lets go of them', async () => {
      const budget = new InlineBudget();
      const bytes = await makeImage('jpeg', 300, 200);
      const upload = kept(bytes, 'photo.jpg', budget);
      expect(budget.bytesInUse).toBe(bytes.length);
      const validated = await pipe.transform(upload);
      expect(budget.bytesInUse).toBe(0);
      expect(validated).not.toHaveProperty('inspected');
      const fromStorage = await pipe.transform(await received(bytes, 'photo.jpg'));
      expect(validated).toEqual({ ...fromStorage, tempKey: 'tmp/not-in-storage' });
    });

    it('reads a JPEG header in JavaScript to the same answer as libvips from storage, EXIF orientation and camera included', async () => {
      const metadata = jest.spyOn(sharp.prototype, 'metadata');
      try {
        for (const orientation of [1, 3, 6, 8]) {
          const bytes = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#47a' } })
            .withMetadata({ orientation })
            .withExifMerge({ IFD0: { Make: 'Canon', Model: 'EOS 5D' } })
            .jpeg()
            .toBuffer();
          metadata.mockClear();
          const validated = await pipe.transform(kept(bytes, 'photo.jpg', new InlineBudget()));
          expect(metadata).not.toHaveBeenCalled();
          const fromStorage = await pipe.transform(await received(bytes, 'photo.jpg'));
          expect(metadata).toHaveBeenCalled();
          expect(validated).toEqual({ ...fromStorage, tempKey: 'tmp/not-in-storage' });
          expect(validated).toMatchObject({ orientation, metadata: { camera: 'Canon EOS 5D' } });
        }
      } finally {
        metadata.mockRestore();
      }
    });

    it('trusts libvips when its decode does not have the shape a header read in JavaScript foretold', async () => {
      const bytes = await makeImage('jpeg', 300, 200);
      // A header that reads an orientation libvips does not (a quarter turn): the decode comes out 200 wide, not 300.
      const read = jpegHeader.plainJpegHeader;
      const header = jest.spyOn(jpegHeader, 'plainJpegHeader').mockImplementation((b) => {
        const real = read(b);
        return real && { ...real, orientation: 6 };
      });
      try {
        const validated = await pipe.transform(kept(bytes, 'photo.jpg', new InlineBudget()));
        expect(header).toHaveBeenCalled();
        expect(validated).toMatchObject({ width: 300, height: 200, orientation: 1 });
      } finally {
        header.mockRestore();
      }
    });

    it('refuses what storage would refuse, with the same codes, and lets go of them either way', async () => {
      const budget = new InlineBudget();
      const png = await makeImage('png');
      const jpeg = await makeImage('jpeg', 300, 200);
      const bad: Array<[Buffer, string]> = [
        [truncated(png, 0.5), 'cut.png'],
        [truncated(jpeg, 0.6), 'cut.jpg'],
        [pngWithClaimedSize(2000, 1000), 'huge.png'],
        // A JPEG's header is read in JavaScript (plainJpegHeader), a PNG's by libvips: both limits hold.
        [await makeImage('jpeg', 1200, 1000), 'big.jpg'],
        [PLAIN_TEXT, 'notes.png'],
        [Buffer.concat([png, Buffer.from('PK\x03\x04 zip')]), 'trailing.png'],
      ];
      for (const [bytes, name] of bad) {
        const inMemory = await refusal(kept(bytes, name, budget));
        const stored = await refusal(await received(bytes, name));
        expect({ name, code: inMemory?.code }).toEqual({ name, code: stored?.code });
        expect(inMemory?.code).toBeDefined();
        expect(budget.bytesInUse).toBe(0);
      }
    });
  });

  it('leaves the temporary object to its caller (the interceptor discards it)', async () => {
    await refusal(await received(PLAIN_TEXT, 'notes.png'));
    expect(readdirSync(join(root, 'tmp'))).toHaveLength(1);
  });
});
