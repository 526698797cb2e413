import { ErrorCode } from '../../common/errors';
import { ServiceBusyError } from '../images.errors';
import { ImageWorkScheduler } from './image-work-scheduler';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise((r) => setImmediate(r));

describe('ImageWorkScheduler', () => {
  it('runs at most maxConcurrent at once and starts the rest as slots free', async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 2, maxQueued: 10 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      scheduler.run('u', 'test', async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(scheduler.stats()).toMatchObject({ running: 2, queued: 1 });
    gates[0].open();
    await expect(runs[0]).resolves.toBe(0);
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[1].open();
    gates[2].open();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(scheduler.stats()).toEqual({ running: 0, queued: 0, rejected: 0, completed: 3 });
  });

  it('frees the slot when a task fails', async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 1 });
    await expect(scheduler.run('u', 'test', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(scheduler.run('u', 'test', () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses work past the queue with SERVICE_BUSY and a Retry-After', async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 2 });
    const g = gate();
    const runs = [1, 2, 3].map(() => scheduler.run('u', 'test', () => g.promise));
    const refused = scheduler.run('v', 'test', () => Promise.resolve());
    await expect(refused).rejects.toBeInstanceOf(ServiceBusyError);
    const error = (await refused.catch((e: ServiceBusyError) => e)) as ServiceBusyError;
    expect(error.code).toBe(ErrorCode.SERVICE_BUSY);
    expect(Number(error.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(scheduler.stats().rejected).toBe(1);
    g.open();
    await Promise.all(runs);
  });

  it("gives the next slot to a user who has not been served before another user's backlog", async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 50 });
    const order: string[] = [];
    const g = gate();
    const job = (user: string, name: string) =>
      scheduler.run(user, 'test', async () => {
        await g.promise;
        order.push(name);
      });
    const runs = [
      job('a', 'a1'),
      ...Array.from({ length: 20 }, (_, i) => job('a', `a${i + 2}`)),
      job('b', 'b1'),
      job('c', 'c1'),
      job('b', 'b2'),
    ];
    g.open();
    await Promise.all(runs);
    expect(order.slice(0, 5)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2']);
  });

  it('drops a waiting job whose signal aborts', async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 5 });
    const g = gate();
    const first = scheduler.run('u', 'test', () => g.promise);
    const controller = new AbortController();
    const task = jest.fn(() => Promise.resolve());
    const waiting = scheduler.run('u', 'test', task, { signal: controller.signal });
    expect(scheduler.stats().queued).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.CLIENT_CLOSED_REQUEST });
    expect(scheduler.stats().queued).toBe(0);
    g.open();
    await first;
    expect(task).not.toHaveBeenCalled();
  });

  it('reports each job duration to its hooks', async () => {
    const scheduler = new ImageWorkScheduler({ maxConcurrent: 1, maxQueued: 1 });
    const hook = jest.fn();
    scheduler.onDuration(hook);
    await scheduler.run('u', 'variant', () => Promise.resolve());
    await scheduler.run('u', 'verify', () => Promise.reject(new Error('x'))).catch(() => undefined);
    expect(hook).toHaveBeenNthCalledWith(1, 'variant', expect.any(Number), false);
    expect(hook).toHaveBeenNthCalledWith(2, 'verify', expect.any(Number), true);
  });
});
