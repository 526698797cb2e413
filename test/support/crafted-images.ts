import { once } from 'node:events';
import { createDeflate, crc32 } from 'node:zlib';
import sharp from 'sharp';
import { chunk, makeImage } from './images';

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const le16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const le32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** A one-entry ZIP (stored, not compressed), as appended to an image to make a polyglot. */
export function zipOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const fileName = Buffer.from(name);
  const common = Buffer.concat([
    le16(20),
    le16(0),
    le16(0),
    le16(0),
    le16(0),
    le32(crc32(data)),
    le32(data.length),
    le32(data.length),
    le16(fileName.length),
    le16(0),
  ]);
  const local = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), common, fileName, data]);
  const central = Buffer.concat([
    Buffer.from('PK\x01\x02', 'latin1'),
    le16(20),
    common,
    le16(0),
    le16(0),
    le16(0),
    le32(0),
    le32(0),
    fileName,
  ]);
  const end = Buffer.concat([
    Buffer.from('PK\x05\x06', 'latin1'),
    le16(0),
    le16(0),
    le16(1),
    le16(1),
    le32(central.length),
    le32(local.length),
    le16(0),
  ]);
  return Buffer.concat([local, central, end]);
}

/** A JPEG whose APP1 carries EXIF with an embedded JPEG thumbnail (its own SOI … EOI). */
export async function jpegWithExifThumbnail(): Promise<{ jpeg: Buffer; thumbnail: Buffer }> {
  const main = await makeImage('jpeg', 64, 48);
  const thumbnail = await makeImage('jpeg', 16, 12);
  const ifd1At = 14;
  const thumbnailAt = ifd1At + 2 + 2 * 12 + 4;
  const entry = (tag: number, value: number) => Buffer.concat([u16(tag), u16(4), u32(1), u32(value)]);
  const tiff = Buffer.concat([
    Buffer.from('MM\0*', 'latin1'),
    u32(8),
    u16(0),
    u32(ifd1At),
    u16(2),
    entry(0x0201, thumbnailAt),
    entry(0x0202, thumbnail.length),
    u32(0),
    thumbnail,
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1]), u16(body.length + 2), body]);
  return { jpeg: Buffer.concat([main.subarray(0, 2), app1, main.subarray(2)]), thumbnail };
}

/** `GIF89a/*…*‍/=alert(1);//`: a GIF whose width bytes open a JS comment, with script after its trailer. */
export async function gifJavaScriptPolyglot(): Promise<Buffer> {
  // Width 0x2A2F is stored little-endian as the bytes '/' '*'.
  const gif = await sharp({ create: { width: 0x2a2f, height: 1, channels: 3, background: '#336699' } })
    .gif()
    .toBuffer();
  return Buffer.concat([gif, Buffer.from('*/=alert(1);//', 'latin1')]);
}

/** An animated image of `frames` frames of 24×16. */
export async function animated(format: 'gif' | 'webp', frames = 3): Promise<Buffer> {
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 60 * i, g: 90, b: 200 } } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(pages, { join: { animated: true } })
    .toFormat(format)
    .toBuffer();
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

export interface ZeroPng {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 4 grey + alpha, 6 RGBA. */
  colourType?: number;
  bitDepth?: number;
  interlaced?: boolean;
}

/**
 * An all-zero (black, transparent) PNG that really decodes, made without holding its pixels:
 * the filtered scanlines of an all-zero image are all zero bytes, deflated as a stream.
 */
export async function zeroPng({ width, height, colourType = 0, bitDepth = 8, interlaced = false }: ZeroPng): Promise<Buffer> {
  const rowBytes = (w: number) => Math.ceil((w * CHANNELS[colourType] * bitDepth) / 8);
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const rawLength = passes.reduce((sum, [x0, y0, dx, dy]) => {
    const w = Math.max(0, Math.ceil((width - x0) / dx));
    const h = Math.max(0, Math.ceil((height - y0) / dy));
    return w && h ? sum + h * (1 + rowBytes(w)) : sum;
  }, 0);
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([bitDepth, colourType, 0, 0, interlaced ? 1 : 0])]);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', await deflateZeros(rawLength)), chunk('IEND', Buffer.alloc(0))]);
}

async function deflateZeros(length: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (piece: Buffer) => out.push(piece));
  const ended = once(deflate, 'end');
  const block = Buffer.alloc(1 << 20);
  for (let left = length; left > 0; left -= block.length) {
    if (!deflate.write(left >= block.length ? block : block.subarray(0, left))) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  return Buffer.concat(out);
}
