import { randomUUID } from 'node:crypto';

/** Where the images module keeps bytes in storage: the one place these key prefixes are written. */
export const storageKeys = {
  /** An upload's bytes until they are validated and moved to `original`. */
  temporary: (): string => `tmp/${randomUUID()}`,
  original: (imageId: string): string => `images/${imageId}`,
  /** The prefix under which every variant of one image is stored. */
  variantsOf: (imageId: string): string => `variants/${imageId}/`,
  variant: (imageId: string, name: string, extension: string): string => `variants/${imageId}/${name}.${extension}`,
  isTemporary: (key: string): boolean => key.startsWith('tmp/'),
};
