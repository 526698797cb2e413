import { EndParser, MalformedImageError, read, skip } from './end-parser';

/** WebP: a RIFF container whose size field counts the bytes after its first 8 (a pad byte of an odd size is zero padding). */
export function* webpEnd(): EndParser {
  const head = yield read(12);
  const size = head.readUInt32LE(4);
  if (size < 4) throw new MalformedImageError();
  yield skip(size - 4);
}
