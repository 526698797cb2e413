import { ImageMetadata } from '../metadata/image-metadata';

/** A file part that was streamed to a temporary storage key, not yet validated. */
export interface ReceivedUpload {
  tempKey: string;
  /** The client's name, already sanitised. */
  filename: string;
  size: number;
  sha256: string;
  /** Who uploads it: their image work waits in their own queue. */
  ownerId?: string;
}

/** An upload that passed every validation step; the bytes are still under `tempKey`. */
export interface ValidatedUpload extends ReceivedUpload {
  mimeType: string;
  extension: string;
  /** As displayed (EXIF orientation applied). */
  width: number;
  height: number;
  /** EXIF orientation (1–8) of the stored pixels. */
  orientation: number;
  metadata: ImageMetadata;
}
