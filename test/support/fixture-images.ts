import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

/**
 * Folders of real images made by others, from Debian packages that CI installs
 * (golang-1.19-src: Go's image test data and part of PngSuite; golang-golang-x-image-dev: WebP and more).
 */
export const FIXTURE_DIRS = [
  '/usr/share/go-1.19/src/image/testdata',
  '/usr/share/go-1.19/src/image/png/testdata',
  '/usr/share/gocode/src/golang.org/x/image/testdata',
];

const IMAGE_EXTENSIONS = new Set(['.jpeg', '.jpg', '.png', '.gif', '.webp']);

/**
 * Files broken on purpose by their authors: Go's invalid-*.png, its truncated progressive JPEG
 * (its .png twin is the valid reference), PngSuite's x*.png.
 */
export function isIntentionallyInvalid(path: string): boolean {
  const name = basename(path);
  return /^invalid-/.test(name) || /\.truncated\.jpe?g$/.test(name) || /^x[a-z0-9]{2}n/.test(name);
}

/** Every image file below the fixture folders (recursively), sorted; throws if a folder is missing. */
export function fixtureImages(dirs = FIXTURE_DIRS): string[] {
  const missing = dirs.filter((dir) => !existsSync(dir));
  if (missing.length) {
    throw new Error(`fixture folders missing: ${missing.join(', ')} — apt-get install -y golang-1.19-src golang-golang-x-image-dev`);
  }
  return dirs
    .flatMap(walk)
    .filter((path) => IMAGE_EXTENSIONS.has(extname(path).toLowerCase()))
    .sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
