import { Injectable } from '@nestjs/common';
import { AuthUser } from '../../auth/auth-user';
import { ContentAuthRequiredError } from '../images.errors';
import { LinkSigner, SignedLinkQuery } from './link-signer';

/** Who may read content, and how caches may keep it. */
export interface ContentGrant {
  /** The bearer of a token (owner or admin); absent for a signed link, which opens any image it names. */
  user?: AuthUser;
  cacheControl: string;
  /** A signed link's `v`: the checksum prefix of the bytes it was made for. */
  version?: string;
}

/** A signed link that names the image's exact bytes may be cached as immutable until it expires. */
export function cacheControlFor(grant: ContentGrant, checksum: string): string {
  return grant.version !== undefined && grant.version === linkVersion(checksum) ? `${grant.cacheControl}, immutable` : grant.cacheControl;
}

/** The `v` a link to these bytes carries. */
export function linkVersion(checksum: string): string {
  return checksum.slice(0, 16);
}

/** Content answers to a signed link (public, cacheable until expiry) or to a bearer token (private). */
@Injectable()
export class ContentAccess {
  constructor(private readonly signer: LinkSigner) {}

  grant(user: AuthUser | undefined, imageId: string, query: SignedLinkQuery): ContentGrant {
    if (query.sig !== undefined || query.expires !== undefined) {
      return { cacheControl: `public, max-age=${this.signer.verify(imageId, query)}`, version: query.v };
    }
    if (!user) {
      throw new ContentAuthRequiredError();
    }
    return { user, cacheControl: 'private, max-age=0, must-revalidate' };
  }
}
