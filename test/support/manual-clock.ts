import { Clock } from '../../src/common/clock';

/** A Clock that stands still until a test moves it, so expiry is tested without sleeping or racing the wall clock. */
export class ManualClock extends Clock {
  private current = new Date(Math.floor(Date.now() / 1000) * 1000);

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
