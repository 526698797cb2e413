import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory after a full garbage collection, so that what is measured is what is still held. */
export function settledMemory(): NodeJS.MemoryUsage {
  gc();
  return process.memoryUsage();
}
