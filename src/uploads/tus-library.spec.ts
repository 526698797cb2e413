import { PassThrough } from 'node:stream';
import { webStreamOf } from './tus-library';

describe('webStreamOf (the tus request body)', () => {
  it('hands on the very chunks of the Node stream, in order, then ends', async () => {
    const source = new PassThrough();
    const chunks = [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')];
    const reader = webStreamOf(source).getReader();
    for (const chunk of chunks) source.write(chunk);
    source.end();
    const read: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) read.push(next.value);
    expect(read).toHaveLength(3);
    // Not copies: the same memory as the socket's chunks.
    read.forEach((chunk, i) => expect(chunk.buffer).toBe(chunks[i].buffer));
    expect(Buffer.concat(read).toString()).toBe('firstsecondthird');
  });

  it('pauses the source while nobody reads (backpressure) and resumes on demand', async () => {
    const source = new PassThrough();
    const reader = webStreamOf(source).getReader();
    source.write(Buffer.alloc(1000, 1));
    source.write(Buffer.alloc(1000, 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.isPaused()).toBe(true);
    const first = await reader.read();
    expect(first.value?.[0]).toBe(1);
    const second = await reader.read();
    expect(second.value?.[0]).toBe(2);
  });

  it('fails with an AbortError when the source closes early (the client went away) and passes other errors on', async () => {
    const cut = new PassThrough();
    const cutReader = webStreamOf(cut).getReader();
    cut.write(Buffer.from('partial'));
    await cutReader.read();
    cut.destroy();
    await expect(cutReader.read()).rejects.toMatchObject({ name: 'AbortError' });

    const failing = new PassThrough();
    const failingReader = webStreamOf(failing).getReader();
    failing.destroy(new Error('disk on fire'));
    await expect(failingReader.read()).rejects.toThrow('disk on fire');
  });

  it('destroys the source when the reader cancels', async () => {
    const source = new PassThrough();
    await webStreamOf(source).cancel(new Error('not wanted'));
    expect(source.destroyed).toBe(true);
  });
});
