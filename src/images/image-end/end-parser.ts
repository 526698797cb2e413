/**
 * A format's walk from its first byte to the last byte of the image, written as a generator that
 * asks the driver (scanImageEnd) for bytes: `read` hands over the next n bytes, `skip` passes n
 * bytes unseen, `marker` passes everything up to the next 0xFF whose following byte is not data
 * (`isData`) and hands over that byte, the marker code (JPEG). The walk returns when the image
 * has ended and throws MalformedImageError when the structure is wrong.
 */
export type EndOp = { op: 'read'; n: number } | { op: 'skip'; n: number } | { op: 'marker'; isData: (code: number) => boolean };
export type EndParser = Generator<EndOp, void, Buffer>;

export const read = (n: number): EndOp => ({ op: 'read', n });
export const skip = (n: number): EndOp => ({ op: 'skip', n });
export const marker = (isData: (code: number) => boolean): EndOp => ({ op: 'marker', isData });

export class MalformedImageError extends Error {}

/** The next single byte, as a number. */
export function* readByte(): Generator<EndOp, number, Buffer> {
  return (yield read(1))[0];
}
