import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { ImageVariants1765000000000 } from './1765000000000-image-variants';
import { LoginFailuresByAge1766100000000 } from './1766100000000-login-failures-by-age';
import { NormaliseEmails1766100000001 } from './1766100000001-normalise-emails';
import { BoundedVariants1767100000000 } from './1767100000000-bounded-variants';
import { ImageMetadata1768000000000 } from './1768000000000-image-metadata';
import { ResumableUploads1768100000000 } from './1768100000000-resumable-uploads';

/** Every migration, in order; listed by class so the app and the CLI run the same set. */
export const migrations = [
  InitialSchema1764000000000,
  ImageVariants1765000000000,
  LoginFailuresByAge1766100000000,
  NormaliseEmails1766100000001,
  BoundedVariants1767100000000,
  ImageMetadata1768000000000,
  ResumableUploads1768100000000,
];
