/** The fsync of a folder in flight, and the one that follows it once callers wait for it. */
interface Round {
  running: Promise<void>;
  next?: Promise<void>;
}

/**
 * Group commit for folder fsyncs: callers that renamed into the same folder share them. A rename
 * is durable once an fsync of its folder that began after it has ended. One in flight may have
 * begun before a caller's rename, so a caller that arrives during it waits for the next one, which
 * begins as soon as that one ends and serves every caller that arrived meanwhile. Under concurrent
 * uploads (every original lands in `images/`) that is one folder fsync per several uploads instead
 * of one each; alone, an upload waits for no one. A failed fsync fails everyone who shared it.
 */
export class FolderSyncs {
  private readonly rounds = new Map<string, Round>();

  constructor(private readonly syncNow: (folder: string) => Promise<void>) {}

  sync(folder: string): Promise<void> {
    const round = this.rounds.get(folder);
    if (!round) return this.begin(folder);
    round.next ??= round.running.then(
      () => this.begin(folder),
      () => this.begin(folder),
    );
    return round.next;
  }

  /** Folders with an fsync in flight (for tests). */
  get inFlight(): number {
    return this.rounds.size;
  }

  private begin(folder: string): Promise<void> {
    const running = Promise.resolve().then(() => this.syncNow(folder));
    const round: Round = { running };
    this.rounds.set(folder, round);
    // Registered before any `next` continuation: when this round ends with no one waiting, the
    // folder is forgotten; when someone waits, `next` begins the following round in its place.
    const end = () => {
      if (this.rounds.get(folder) === round && !round.next) this.rounds.delete(folder);
    };
    running.then(end, end);
    return running;
  }
}
