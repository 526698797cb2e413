import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { clientGone } from './client-gone';

/** Enough of a response: closed or not, finished or not, and its 'close' event. */
function response(state: { closed?: boolean; writableFinished?: boolean } = {}) {
  return Object.assign(new EventEmitter(), { closed: false, writableFinished: false, ...state });
}

describe('clientGone', () => {
  it('adds no listener until the signal is asked for, then one, however often it is asked for', () => {
    const res = response();
    const signalOf = clientGone(res as unknown as Response);
    expect(res.listenerCount('close')).toBe(0);
    expect(signalOf()).toBe(signalOf());
    expect(res.listenerCount('close')).toBe(1);
  });

  it('aborts when the response closes before it is finished (the client left)', () => {
    const res = response();
    const signal = clientGone(res as unknown as Response)();
    res.emit('close');
    expect(signal.aborted).toBe(true);
  });

  it('does not abort when the response closes after it was sent', () => {
    const res = response();
    const signal = clientGone(res as unknown as Response)();
    res.writableFinished = true;
    res.emit('close');
    expect(signal.aborted).toBe(false);
  });

  it('is aborted at once when asked for after the client already left, and not after a finished response', () => {
    expect(clientGone(response({ closed: true }) as unknown as Response)().aborted).toBe(true);
    expect(clientGone(response({ closed: true, writableFinished: true }) as unknown as Response)().aborted).toBe(false);
  });
});
