/** Runs inside the isolate: limits that must hold inside native built-ins, where the time limit cannot reach. */
import { guardMethods } from './wrap-methods.ts';

/**
 * The longest `length` an array method accepts. V8 walks a huge array-like (`{ length: 2 ** 53 - 1 }`) inside
 * native code that never checks for termination, so the time limit cannot stop it; no real array in a 128 MB
 * isolate comes near this length, so refusing longer receivers loses nothing.
 */
const MAX_ARRAY_LENGTH = 2 ** 24;

export function capArrayLengths(): void {
  guardMethods(Array.prototype, (name, receiver) => {
    if ((typeof receiver === 'object' && receiver !== null) || typeof receiver === 'function') {
      const length = Number((receiver as { length?: unknown }).length);
      if (length > MAX_ARRAY_LENGTH) throw new RangeError(`Array.prototype.${name} refuses a receiver of length ${length} (over ${MAX_ARRAY_LENGTH})`);
    }
  });
}
