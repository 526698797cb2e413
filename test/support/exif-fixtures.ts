import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real camera EXIF made by others, from Debian packages that CI installs:
 * golang-github-rwcarlsen-goexif-dev (goexif's sample1.jpg, a NIKON D2H photo; 58 EXIF headers
 * cut from camera JPEGs; corrupt EXIF blocks) and golang-github-disintegration-imaging-dev
 * (one picture stored with each EXIF orientation 0–8). exiftool (libimage-exiftool-perl) is the reference.
 */
export const GOEXIF_DIR = '/usr/share/gocode/src/github.com/rwcarlsen/goexif/exif';
export const IMAGING_DIR = '/usr/share/gocode/src/github.com/disintegration/imaging/testdata';
const PACKAGES = 'golang-github-rwcarlsen-goexif-dev golang-github-disintegration-imaging-dev libimage-exiftool-perl';

export function requireExifFixtures(): void {
  const missing = [GOEXIF_DIR, IMAGING_DIR, '/usr/bin/exiftool'].filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`EXIF fixtures missing: ${missing.join(', ')} — apt-get install -y ${PACKAGES}`);
}

export function filesIn(dir: string, pattern = /\.jpe?g$/i): string[] {
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export type ExiftoolTags = Record<string, string | number | undefined>;

/** What exiftool reads from these bytes (written to a temporary file), tag values unformatted. */
export function exiftool(bytes: Buffer, tags: string[]): ExiftoolTags {
  const dir = mkdtempSync(join(tmpdir(), 'exiftool-'));
  try {
    const file = join(dir, 'image.jpg');
    writeFileSync(file, bytes);
    const out = execFileSync('exiftool', ['-j', '-n', '-m', ...tags.map((t) => `-${t}`), file], { encoding: 'utf8' });
    return (JSON.parse(out) as ExiftoolTags[])[0];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The JPEG's APP1 Exif segment (marker and length included), or undefined. */
export function exifSegment(jpeg: Buffer): Buffer | undefined {
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1];
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', at + 4, at + 10) === 'Exif\0\0') return jpeg.subarray(at, at + 2 + length);
    if (marker === 0xda) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/** A whole JPEG carrying another file's EXIF segment: the pixels are ours, the EXIF a camera's. */
export function withExifSegment(jpeg: Buffer, segment: Buffer): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
