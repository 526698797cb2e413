import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Clock } from '../../common/clock';
import { linksConfig } from '../config/links.config';
import { InvalidSignatureError, LinkExpiredError } from '../images.errors';
import { RequestedParams, pickTransformParams, toQueryString } from '../variants/transform-params';

export interface SignedLinkQuery extends RequestedParams {
  expires?: number;
  sig?: string;
  /** The first 16 hex digits of the image's checksum: the link names these exact bytes. */
  v?: string;
}

/** What a link signs besides the image and expiry: its transform parameters, then its version. */
export function signedParamsOf(query: SignedLinkQuery): string {
  return [toQueryString(pickTransformParams(query)), query.v === undefined ? '' : `v=${query.v}`].filter(Boolean).join('&');
}

/** Signs and checks content links: HMAC-SHA256 under SECRET_KEY over the image id, the expiry and the parameters. */
@Injectable()
export class LinkSigner {
  constructor(
    @Inject(linksConfig.KEY) private readonly cfg: ConfigType<typeof linksConfig>,
    private readonly clock: Clock,
  ) {}

  /** Hex signature of a link to `imageId` with these canonical parameters, valid until `expires` (Unix seconds). */
  sign(imageId: string, paramsQuery: string, expires: number): string {
    return createHmac('sha256', this.cfg.secretKey).update(`${imageId}\n${expires}\n${paramsQuery}`).digest('hex');
  }

  /** Seconds the link has left; throws INVALID_SIGNATURE for any change to it, LINK_EXPIRED once it is over. */
  verify(imageId: string, query: SignedLinkQuery): number {
    const { expires, sig } = query;
    if (expires === undefined || !sig) throw new InvalidSignatureError();
    const expected = this.sign(imageId, signedParamsOf(query), expires);
    if (!sameText(sig, expected)) throw new InvalidSignatureError();
    const left = expires - this.nowSeconds();
    if (left <= 0) throw new LinkExpiredError();
    return left;
  }

  nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
