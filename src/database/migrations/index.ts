import { InitialSchema1764000000000 } from './1764000000000-initial-schema';

/** Every migration, in order; listed by class so the app and the CLI run the same set. */
export const migrations = [InitialSchema1764000000000];
