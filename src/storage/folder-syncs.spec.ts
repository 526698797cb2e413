import { FolderSyncs } from './folder-syncs';

/** A sync we end by hand, to see who waits for which. */
function controlledSyncs() {
  const started: { folder: string; end: (error?: Error) => void }[] = [];
  const syncs = new FolderSyncs(
    (folder) =>
      new Promise<void>((resolve, reject) => {
        started.push({ folder, end: (error) => (error ? reject(error) : resolve()) });
      }),
  );
  return { syncs, started };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('FolderSyncs', () => {
  it('syncs at once for a caller alone, and forgets the folder when it ends', async () => {
    const { syncs, started } = controlledSyncs();
    const done = syncs.sync('/a');
    await settled();
    expect(started.map((s) => s.folder)).toEqual(['/a']);
    started[0].end();
    await expect(done).resolves.toBeUndefined();
    expect(syncs.inFlight).toBe(0);
  });

  it('makes callers that arrive during a sync wait for the next one, which they share, and which begins after it', async () => {
    const { syncs, started } = controlledSyncs();
    const ended: string[] = [];
    const first = syncs.sync('/a').then(() => ended.push('first'));
    await settled();
    const later = [1, 2, 3].map((i) => syncs.sync('/a').then(() => ended.push(`later ${i}`)));
    await settled();
    // The callers who came after the first sync began are not served by it.
    expect(started).toHaveLength(1);
    started[0].end();
    await first;
    await settled();
    expect(ended).toEqual(['first']);
    expect(started).toHaveLength(2);
    // One more caller during the second sync: it waits for a third.
    const last = syncs.sync('/a').then(() => ended.push('last'));
    started[1].end();
    await Promise.all(later);
    await settled();
    expect(ended).toEqual(['first', 'later 1', 'later 2', 'later 3']);
    expect(started).toHaveLength(3);
    started[2].end();
    await last;
    expect(ended).toEqual(['first', 'later 1', 'later 2', 'later 3', 'last']);
    expect(syncs.inFlight).toBe(0);
  });

  it('keeps folders apart', async () => {
    const { syncs, started } = controlledSyncs();
    const a = syncs.sync('/a');
    const b = syncs.sync('/b');
    await settled();
    expect(started.map((s) => s.folder)).toEqual(['/a', '/b']);
    started[1].end();
    await expect(b).resolves.toBeUndefined();
    started[0].end();
    await expect(a).resolves.toBeUndefined();
  });

  it('fails everyone who shared a failed sync, and still runs the next one for those who came after', async () => {
    const { syncs, started } = controlledSyncs();
    const first = syncs.sync('/a');
    await settled();
    const shared = [syncs.sync('/a'), syncs.sync('/a')];
    started[0].end(new Error('EIO'));
    await expect(first).rejects.toThrow('EIO');
    await settled();
    expect(started).toHaveLength(2);
    started[1].end(new Error('EIO again'));
    await expect(Promise.all(shared)).rejects.toThrow('EIO again');
    await expect(shared[1]).rejects.toThrow('EIO again');
    const after = syncs.sync('/a');
    await settled();
    started[2].end();
    await expect(after).resolves.toBeUndefined();
    expect(syncs.inFlight).toBe(0);
  });

  it('turns a sync that throws at once into a rejection', async () => {
    const syncs = new FolderSyncs(() => {
      throw new Error('EMFILE');
    });
    await expect(syncs.sync('/a')).rejects.toThrow('EMFILE');
    expect(syncs.inFlight).toBe(0);
  });
});
