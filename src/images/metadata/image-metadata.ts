/** What an image's pixels and EXIF tell a client, computed once at upload (or by the backfill). */
export interface ImageMetadata {
  /** Base64 ThumbHash of the image as displayed. */
  thumbhash: string;
  /** `#rrggbb`. */
  dominantColor: string;
  /** EXIF DateTimeOriginal (or DateTimeDigitized); UTC unless EXIF gives an offset. */
  takenAt: Date | null;
  /** EXIF make and model. */
  camera: string | null;
  animated: boolean;
  frames: number;
}
