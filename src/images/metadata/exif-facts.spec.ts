import sharp from 'sharp';
import { cameraOf, readExifFacts } from './exif-facts';
import { dominantColor } from './placeholder';

async function exifOf(ifd0: Record<string, string>, photo: Record<string, string> = {}): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .withExif({ IFD0: ifd0, IFD2: photo })
    .jpeg()
    .toBuffer();
  return (await sharp(jpeg).metadata()).exif!;
}

describe('readExifFacts', () => {
  it('reads DateTimeOriginal (as UTC) and make + model', async () => {
    const exif = await exifOf({ Make: 'Canon', Model: 'Canon PowerShot S40' }, { DateTimeOriginal: '2003:12:14 12:01:44' });
    expect(readExifFacts(exif)).toEqual({ takenAt: new Date('2003-12-14T12:01:44.000Z'), camera: 'Canon PowerShot S40' });
  });

  it('applies OffsetTimeOriginal when the camera wrote one', async () => {
    const exif = await exifOf({ Make: 'X' }, { DateTimeOriginal: '2020:06:01 14:00:00', OffsetTimeOriginal: '+02:00' });
    expect(readExifFacts(exif).takenAt).toEqual(new Date('2020-06-01T12:00:00.000Z'));
  });

  it('gives nulls for a missing or broken block, never an error', () => {
    expect(readExifFacts(undefined)).toEqual({ takenAt: null, camera: null });
    expect(readExifFacts(Buffer.from('Exif\0\0garbage'))).toEqual({ takenAt: null, camera: null });
    expect(readExifFacts(Buffer.from('Exif\0\0MM\0\x2a\xff\xff\xff\xff', 'latin1'))).toEqual({ takenAt: null, camera: null });
  });
});

describe('cameraOf', () => {
  it('does not repeat the make, trims padding and drops control characters', () => {
    expect(cameraOf('NIKON CORPORATION', 'NIKON D2H')).toBe('NIKON CORPORATION NIKON D2H');
    expect(cameraOf('Canon', 'Canon EOS 5D\0\0')).toBe('Canon EOS 5D');
    expect(cameraOf(' ', undefined)).toBeNull();
    expect(cameraOf('Apple', '')).toBe('Apple');
  });
});

describe('dominantColor', () => {
  it('is the commonest colour, transparent pixels not counted', () => {
    const px = (r: number, g: number, b: number, a = 255) => [r, g, b, a];
    const rgba = Uint8Array.from([
      ...px(0, 0, 0, 0),
      ...px(0, 0, 0, 0),
      ...px(0, 0, 0, 0),
      ...px(10, 200, 30),
      ...px(10, 200, 30),
      ...px(250, 0, 0),
    ]);
    expect(dominantColor(rgba)).toBe('#0ac81e');
  });
});
