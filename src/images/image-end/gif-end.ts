import { EndParser, EndOp, MalformedImageError, read, readByte, skip } from './end-parser';

const EXTENSION = 0x21;
const IMAGE = 0x2c;
const TRAILER = 0x3b;

/**
 * GIF: header, screen descriptor and its colour table, then extension and image blocks (each
 * a run of sub-blocks ended by a zero length) until the trailer byte. The block structure is
 * walked, since 0x3B occurs anywhere in LZW data.
 */
export function* gifEnd(): EndParser {
  const screen = yield read(13);
  yield skip(colourTableSize(screen[10]));
  for (;;) {
    const introducer = yield* readByte();
    if (introducer === TRAILER) return;
    if (introducer === EXTENSION) {
      yield skip(1);
    } else if (introducer === IMAGE) {
      const descriptor = yield read(9);
      yield skip(colourTableSize(descriptor[8]) + 1);
    } else {
      throw new MalformedImageError();
    }
    yield* subBlocks();
  }
}

function colourTableSize(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}

function* subBlocks(): Generator<EndOp, void, Buffer> {
  for (let size = yield* readByte(); size !== 0; size = yield* readByte()) yield skip(size);
}
