import { ManualClock } from '../../../test/support/manual-clock';
import { AppError } from '../../common/errors';
import { LinkSigner } from './link-signer';

const ID = '0b6f2c4e-8d1a-4f3b-9c2e-7a5d6e4f3b21';
const signerAt = (seconds: number, secretKey = 'a-secret-key-of-at-least-32-characters!') =>
  new LinkSigner({ secretKey } as ConstructorParameters<typeof LinkSigner>[0], new ManualClock(new Date(seconds * 1000)));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as AppError).code;
  }
}

describe('LinkSigner', () => {
  const sig = signerAt(1000).sign(ID, 'w=100&format=webp', 1600);

  it('accepts its own signature and reports the seconds left', () => {
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(signerAt(1000).verify(ID, { w: 100, format: 'webp', expires: 1600, sig })).toBe(600);
  });

  it('refuses any change to the image, expiry, parameters, signature or key', () => {
    const query = { w: 100, format: 'webp' as const, expires: 1600, sig };
    expect(codeOf(() => signerAt(1000).verify(ID.replace('0b', '0c'), query))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, expires: 1601 }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, w: 101 }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, q: 50 }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, sig: sig.toUpperCase() }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, sig: 'short' }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000).verify(ID, { ...query, sig: undefined }))).toBe('INVALID_SIGNATURE');
    expect(codeOf(() => signerAt(1000, 'another-secret-key-of-32-characters!!').verify(ID, query))).toBe('INVALID_SIGNATURE');
  });

  it('refuses a genuine link from its expiry on', () => {
    const query = { w: 100, format: 'webp' as const, expires: 1600, sig };
    expect(signerAt(1599).verify(ID, query)).toBe(1);
    expect(codeOf(() => signerAt(1600).verify(ID, query))).toBe('LINK_EXPIRED');
  });
});
