/** Bytes per sample of each libvips band format (sharp's `metadata().depth`). */
const BYTES_PER_SAMPLE: Record<string, number> = {
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  complex: 8,
  double: 8,
  dpcomplex: 16,
};
/** An unknown sample format is counted as the widest, never as free. */
const WIDEST_SAMPLE = 16;

export interface DecodedShape {
  width?: number;
  /** The height of what is decoded: one page when the decode reads one page. */
  height?: number;
  channels?: number;
  depth?: string;
}

/**
 * The memory a full decode needs: width × height × channels × bytes per sample, from the header
 * alone. Counted whole for every image, since an interlaced (Adam7) PNG is decoded whole.
 */
export function decodeCost({ width = 0, height = 0, channels = 4, depth = '' }: DecodedShape): number {
  return width * height * channels * bytesPerSample(depth);
}

export function bytesPerSample(depth: string | undefined): number {
  return BYTES_PER_SAMPLE[depth ?? ''] ?? WIDEST_SAMPLE;
}
