import { IDLE_COLLECT_AFTER_MS, IdleHeapCollector } from './idle-heap-collector';
import { ImageWorkScheduler } from './image-work-scheduler';

describe('IdleHeapCollector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setUp() {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 10 });
    const gc = jest.fn();
    const collector = new IdleHeapCollector(scheduler, gc);
    return { scheduler, gc, collector };
  }

  it('collects once, when image work has been idle for a while after a burst', async () => {
    const { scheduler, gc } = setUp();
    await Promise.all([1, 2, 3].map((i) => scheduler.run('u', 'test', () => Promise.resolve(i))));
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS - 1);
    expect(gc).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);
    expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'async' });
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS * 10);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('never collects while work keeps coming, nor before any work', async () => {
    const { scheduler, gc } = setUp();
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS * 5);
    expect(gc).not.toHaveBeenCalled();
    for (let i = 0; i < 5; i++) {
      await scheduler.run('u', 'test', () => Promise.resolve(i));
      jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS / 2);
    }
    expect(gc).not.toHaveBeenCalled();
    let release!: () => void;
    const long = scheduler.run('u', 'test', () => new Promise<void>((r) => (release = r)));
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS * 5);
    // A job still running: not idle, whatever the clock says.
    expect(gc).not.toHaveBeenCalled();
    release();
    await long;
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  it('stops its timer when the module is destroyed', async () => {
    const { scheduler, gc, collector } = setUp();
    await scheduler.run('u', 'test', () => Promise.resolve());
    collector.onModuleDestroy();
    jest.advanceTimersByTime(IDLE_COLLECT_AFTER_MS * 2);
    expect(gc).not.toHaveBeenCalled();
  });
});
