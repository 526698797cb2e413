import { EndParser, MalformedImageError, read, skip } from './end-parser';

const SIGNATURE_LENGTH = 8;
const MAX_CHUNK_LENGTH = 2 ** 31 - 1;

/** PNG: chunk after chunk (length, type, data, CRC); the image ends after IEND's CRC. */
export function* pngEnd(): EndParser {
  yield skip(SIGNATURE_LENGTH);
  for (;;) {
    const head = yield read(8);
    const length = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    if (length > MAX_CHUNK_LENGTH || !/^[A-Za-z]{4}$/.test(type)) throw new MalformedImageError();
    yield skip(length + 4);
    if (type === 'IEND') return;
  }
}
