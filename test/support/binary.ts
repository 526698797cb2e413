import type { Response } from 'superagent';

/** A supertest parser that keeps the body as bytes: `.buffer(true).parse(binary)`. */
export function binary(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => callback(null, Buffer.concat(chunks)));
}
