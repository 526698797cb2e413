import { chunk, makeImage } from './images';

const PNG_SIGNATURE_LENGTH = 8;

interface PngChunk {
  type: string;
  data: Buffer;
}

/** The chunks of a PNG, in order. */
export function pngChunks(png: Buffer): PngChunk[] {
  const chunks: PngChunk[] = [];
  for (let at = PNG_SIGNATURE_LENGTH; at < png.length;) {
    const length = png.readUInt32BE(at);
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

export function pngFromChunks(chunks: PngChunk[]): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks.map((c) => chunk(c.type, c.data))]);
}

/** A PNG whose IDAT zlib stream is garbage in the middle, with every CRC still valid. */
export async function pngWithBrokenZlib(): Promise<Buffer> {
  const chunks = pngChunks(await makeImage('png', 64, 48));
  const idat = chunks.find((c) => c.type === 'IDAT')!;
  const data = Buffer.from(idat.data);
  for (let i = Math.floor(data.length / 3); i < Math.floor((2 * data.length) / 3); i++) data[i] ^= 0xa5;
  idat.data = data;
  return pngFromChunks(chunks);
}

/** A valid PNG padded with a private ancillary chunk to exactly `size` bytes. */
export async function pngOfExactSize(size: number): Promise<Buffer> {
  const chunks = pngChunks(await makeImage('png', 16, 16));
  const current = pngFromChunks(chunks).length;
  const padding = size - current - 12;
  if (padding < 0) throw new Error(`a PNG of ${size} bytes cannot be made`);
  chunks.splice(chunks.length - 1, 0, { type: 'prVt', data: Buffer.alloc(padding, 0x20) });
  return pngFromChunks(chunks);
}

/** The first `fraction` of a file, as a crashed or malicious client would send it. */
export function truncated(file: Buffer, fraction: number): Buffer {
  return file.subarray(0, Math.floor(file.length * fraction));
}

/** A GIF header followed by a PHP payload: a classic polyglot. */
export const GIF_PHP_POLYGLOT = Buffer.from('GIF89a<?php system($_GET["c"]); ?>\n', 'latin1');
export const WINDOWS_EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(120, 0)]);
export const SVG_WITH_SCRIPT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>',
);
export const HTML_PAGE = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
export const PLAIN_TEXT = Buffer.from('just some text, not an image\n');
