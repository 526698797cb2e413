import sharp from 'sharp';

/**
 * An animated GIF or WebP of `frames` flat-coloured `width`×`height` frames (each a different colour), looping `loop`
 * times (0: for ever); frame i shows for `frameMs` ms, or by default 100 × (i + 1) ms.
 */
export async function animatedImage(
  format: 'gif' | 'webp',
  frames = 3,
  width = 60,
  height = 40,
  loop = 3,
  frameMs?: number,
): Promise<Buffer> {
  const pages: Buffer[] = [];
  for (let i = 0; i < frames; i++) {
    const background = { r: (i * 97) % 256, g: (i * 53 + 80) % 256, b: 255 - ((i * 97) % 256) };
    pages.push(
      await sharp({ create: { width, height, channels: 3, background } })
        .raw()
        .toBuffer(),
    );
  }
  const delay = pages.map((_, i) => frameMs ?? 100 * (i + 1));
  return sharp(Buffer.concat(pages), { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
    .toFormat(format, { loop, delay })
    .toBuffer();
}
