/** The (normalised) e-mail is already registered; raised even when two registrations race. */
export class DuplicateEmailError extends Error {
  constructor() {
    super('email already registered');
    this.name = 'DuplicateEmailError';
  }
}
