/** The time, injected so that tests can move it (link expiry, lockout windows) without sleeping. */
export class Clock {
  now(): Date {
    return new Date();
  }
}
