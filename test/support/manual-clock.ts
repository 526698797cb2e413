import { Clock } from '../../src/common/clock';

/** A Clock that stands still until a test moves it, so expiry is tested without sleeping or racing the wall clock. */
export class ManualClock extends Clock {
  private current: Date;

  /** Starts at `start`, or at the current whole second of the wall clock. */
  constructor(start = new Date(Math.floor(Date.now() / 1000) * 1000)) {
    super();
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date): void {
    this.current = new Date(to);
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}
