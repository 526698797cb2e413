import type sharp from 'sharp';

/** The header fields of an image that the upload's checks and decode read from sharp's metadata(). */
export type HeaderMetadata = Pick<
  sharp.Metadata,
  'format' | 'width' | 'height' | 'pageHeight' | 'pages' | 'channels' | 'depth' | 'space' | 'orientation' | 'exif'
>;

const SOI = 0xd8;
const SOS = 0xda;
const APP1 = 0xe1;
/** Baseline, extended sequential and progressive Huffman JPEG: what libjpeg-turbo decodes and nearly every camera writes. */
const PLAIN_SOF = new Set([0xc0, 0xc1, 0xc2]);
/** Segments a plain header may hold besides its frame: Huffman and quantisation tables, a restart interval, comments, APP0–APP15. */
const DHT = 0xc4;
const DQT = 0xdb;
const DRI = 0xdd;
const COM = 0xfe;
const isPlainSegment = (marker: number) =>
  marker === DHT || marker === DQT || marker === DRI || marker === COM || (marker >= 0xe0 && marker <= 0xef);
const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

/**
 * What sharp's metadata() reports of a plain JPEG, read from its bytes in memory without a trip
 * through libvips (a thread-pool hand-off that cost a 110 KB upload ~9 % of its CPU in `npm run
 * bench`). Plain: well-formed marker segments up to the first scan, one baseline or progressive
 * 8-bit frame of 3 components with sane sampling factors, at most one EXIF block whose IFD0 holds
 * at most one orientation, a SHORT from 1 to 8. libvips reads the same fields from the same segments
 * (the frame's size and components; the EXIF block's bytes, whole, from "Exif"; IFD0's orientation).
 * Anything else — grey or CMYK, 12-bit, arithmetic coding, a segment of another kind before the
 * scan, two EXIF blocks, a stray byte between segments — gives undefined, and the caller asks
 * sharp. jpeg-header.spec.ts holds it to sharp's answers on real JPEGs and camera EXIF made by others.
 */
export function plainJpegHeader(bytes: Buffer): HeaderMetadata | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return undefined;
  let frame: { width: number; height: number } | undefined;
  let exif: Buffer | undefined;
  for (let at = 2; ;) {
    if (at + 4 > bytes.length || bytes[at] !== 0xff) return undefined;
    // Fill bytes (FF FF …) may stand before a marker.
    while (bytes[at + 1] === 0xff && at + 5 <= bytes.length) at += 1;
    const marker = bytes[at + 1];
    if (marker !== SOS && !PLAIN_SOF.has(marker) && !isPlainSegment(marker)) return undefined;
    const length = bytes.readUInt16BE(at + 2);
    const start = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return undefined;
    if (marker === SOS) {
      const fromExif = exifFields(exif);
      if (!frame || !fromExif) return undefined;
      return { format: 'jpeg', ...frame, channels: 3, depth: 'uchar', space: 'srgb', ...fromExif };
    }
    if (PLAIN_SOF.has(marker)) {
      if (frame) return undefined;
      frame = plainFrame(bytes.subarray(start, end));
      if (!frame) return undefined;
    }
    if (marker === APP1 && length > 6 && bytes.toString('latin1', start, start + 4) === 'Exif') {
      if (exif) return undefined;
      exif = bytes.subarray(start, end);
    }
    at = end;
  }
}

/** An SOF segment's payload: 8-bit samples, a size, 3 components each sampled 1–4 times per block row and column. */
function plainFrame(sof: Buffer): { width: number; height: number } | undefined {
  if (sof.length < 6) return undefined;
  const precision = sof[0];
  const height = sof.readUInt16BE(1);
  const width = sof.readUInt16BE(3);
  const components = sof[5];
  if (precision !== 8 || !width || !height || components !== 3 || sof.length !== 6 + 3 * components) return undefined;
  for (let c = 0; c < components; c++) {
    const sampling = sof[6 + 3 * c + 1];
    const [h, v] = [sampling >> 4, sampling & 0x0f];
    if (h < 1 || h > 4 || v < 1 || v > 4 || sof[6 + 3 * c + 2] > 3) return undefined;
  }
  return { width, height };
}

/** The EXIF block as sharp hands it over (a copy, from "Exif"), and IFD0's orientation; a block that is not plain makes the header not plain. */
function exifFields(exif: Buffer | undefined): Pick<HeaderMetadata, 'exif' | 'orientation'> | undefined {
  if (!exif) return {};
  const orientation = ifd0Orientation(exif);
  if (orientation === null) return undefined;
  return { exif: Buffer.from(exif), ...(orientation === undefined ? {} : { orientation }) };
}

/** IFD0's orientation (undefined when it has none); null for anything that is not a plain TIFF header, IFD0 and orientation entry. */
function ifd0Orientation(exif: Buffer): number | undefined | null {
  if (exif.toString('latin1', 0, 6) !== 'Exif\0\0' || exif.length < 14) return null;
  const tiff = exif.subarray(6);
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return null;
  const ifd0 = u32(4);
  if (ifd0 < 8 || ifd0 + 2 > tiff.length) return null;
  const count = u16(ifd0);
  if (ifd0 + 2 + 12 * count > tiff.length) return null;
  let orientation: number | undefined;
  for (let i = 0; i < count; i++) {
    const entry = ifd0 + 2 + 12 * i;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (orientation !== undefined || u16(entry + 2) !== SHORT || u32(entry + 4) !== 1) return null;
    orientation = u16(entry + 8);
    if (orientation < 1 || orientation > 8) return null;
  }
  return orientation;
}
