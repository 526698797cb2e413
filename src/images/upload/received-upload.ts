import { Inspected } from './upload-inspection';
import { ImageMetadata } from '../metadata/image-metadata';

/** A file part that was streamed to a temporary storage key, not yet validated. */
export interface ReceivedUpload {
  tempKey: string;
  /** The client's name, already sanitised. */
  filename: string;
  size: number;
  /**
   * Of the bytes, when the receiver hashed them as they streamed in (POST /images). A resumable
   * upload arrives over several requests, possibly on several instances: validation hashes its bytes
   * in the end-of-image scan, the one pass it makes over all of them anyway.
   */
  sha256?: string;
  /** Who uploads it: their image work waits in their own queue. */
  ownerId?: string;
  /** What validation reads of the bytes, when the receiver saw them stream in (POST /images). */
  inspected?: Inspected;
}

/** An upload that passed every validation step; the bytes are still under `tempKey`. */
export interface ValidatedUpload extends ReceivedUpload {
  sha256: string;
  mimeType: string;
  extension: string;
  /** As displayed (EXIF orientation applied). */
  width: number;
  height: number;
  /** EXIF orientation (1–8) of the stored pixels. */
  orientation: number;
  metadata: ImageMetadata;
}
