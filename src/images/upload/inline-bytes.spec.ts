import { randomBytes } from 'node:crypto';
import { INLINE_BUDGET_BYTES, INLINE_UPLOAD_BYTES, InlineBudget, InlineBytes } from './inline-bytes';

describe('InlineBytes', () => {
  it('keeps every chunk of a small upload and gives them back as one buffer', () => {
    const budget = new InlineBudget();
    const inline = new InlineBytes(budget);
    const bytes = randomBytes(100_000);
    for (let at = 0; at < bytes.length; at += 30_000) inline.add(bytes.subarray(at, at + 30_000));
    expect(budget.bytesInUse).toBe(100_000);
    expect(inline.bytes()!.equals(bytes)).toBe(true);
    inline.release();
    expect(budget.bytesInUse).toBe(0);
    expect(inline.bytes()).toBeUndefined();
  });

  it('keeps an upload of exactly INLINE_UPLOAD_BYTES, and lets go of one a byte larger', () => {
    const budget = new InlineBudget();
    const atLimit = new InlineBytes(budget);
    atLimit.add(Buffer.alloc(INLINE_UPLOAD_BYTES - 1));
    atLimit.add(Buffer.alloc(1));
    expect(atLimit.bytes()?.length).toBe(INLINE_UPLOAD_BYTES);
    const over = new InlineBytes(budget);
    over.add(Buffer.alloc(INLINE_UPLOAD_BYTES));
    over.add(Buffer.alloc(1));
    // Past the bound it holds nothing and keeps nothing more: the decode reads the stored object.
    over.add(Buffer.alloc(1));
    expect(over.bytes()).toBeUndefined();
    expect(budget.bytesInUse).toBe(INLINE_UPLOAD_BYTES);
    atLimit.release();
    expect(budget.bytesInUse).toBe(0);
  });

  it('keeps no more than the process-wide budget across uploads; what is released can be kept again', () => {
    expect(INLINE_BUDGET_BYTES).toBe(64 * INLINE_UPLOAD_BYTES);
    const budget = new InlineBudget(3 * 1000);
    const uploads = [1, 2, 3, 4].map(() => new InlineBytes(budget, 1000));
    for (const upload of uploads) upload.add(Buffer.alloc(1000));
    expect(uploads.map((u) => u.bytes()?.length)).toEqual([1000, 1000, 1000, undefined]);
    expect(budget.bytesInUse).toBe(3000);
    uploads[0].release();
    const next = new InlineBytes(budget, 1000);
    next.add(Buffer.alloc(1000));
    expect(next.bytes()?.length).toBe(1000);
    expect(budget.bytesInUse).toBe(3000);
  });

  it('release is final and counted once, however often it is called', () => {
    const budget = new InlineBudget();
    const inline = new InlineBytes(budget);
    inline.add(Buffer.alloc(10));
    inline.release();
    inline.release();
    inline.add(Buffer.alloc(10));
    expect(inline.bytes()).toBeUndefined();
    expect(budget.bytesInUse).toBe(0);
  });
});
