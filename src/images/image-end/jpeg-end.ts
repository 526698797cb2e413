import { EndOp, EndParser, MalformedImageError, marker as nextMarkerOp, read, skip } from './end-parser';

const SOS = 0xda;
const EOI = 0xd9;
type Walk = Generator<EndOp, number, Buffer>;

/** Markers without a length: SOI, EOI, RST0–7 and TEM. */
const standalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
/** FF00 is a stuffed data byte; inside entropy-coded data the restart markers are data too. */
const isStuffing = (code: number) => code === 0x00;
const isEntropyData = (code: number) => code === 0x00 || (code >= 0xd0 && code <= 0xd7);

/**
 * JPEG: marker segments are skipped by their length (so an EXIF thumbnail's own EOI inside APP1
 * is never seen); after each SOS the entropy-coded data runs to the next marker that is neither
 * a stuffed FF00 nor a restart marker; progressive files repeat that per scan. Ends at EOI.
 */
export function* jpegEnd(): EndParser {
  yield skip(2);
  let marker = yield* nextMarker(false);
  while (marker !== EOI) {
    if (standalone(marker)) {
      marker = yield* nextMarker(false);
      continue;
    }
    const length = (yield read(2)).readUInt16BE(0);
    if (length < 2) throw new MalformedImageError();
    yield skip(length - 2);
    marker = yield* nextMarker(marker === SOS);
  }
}

/** The next marker code, past fill bytes (FF FF…) and, as libjpeg does, past stray bytes before it. */
function* nextMarker(entropy: boolean): Walk {
  return (yield nextMarkerOp(entropy ? isEntropyData : isStuffing))[0];
}
