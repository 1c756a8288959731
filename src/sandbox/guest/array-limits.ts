/** Runs inside the isolate: limits that must hold inside native built-ins, where the time limit cannot reach. */

/**
 * The longest `length` an array method accepts. V8 walks a huge array-like (`{ length: 2 ** 53 - 1 }`) inside
 * native code that never checks for termination, so the time limit cannot stop it; no real array in a 128 MB
 * isolate comes near this length, so refusing longer receivers loses nothing.
 */
const MAX_ARRAY_LENGTH = 2 ** 24;

export function capArrayLengths(): void {
  const proto = Array.prototype as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(Array.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    const original = descriptor?.value as ((...args: unknown[]) => unknown) | undefined;
    if (key === 'constructor' || typeof original !== 'function') continue;
    const capped = {
      [key](this: unknown, ...args: unknown[]): unknown {
        if ((typeof this === 'object' && this !== null) || typeof this === 'function') {
          const length = Number((this as { length?: unknown }).length);
          if (length > MAX_ARRAY_LENGTH) throw new RangeError(`Array.prototype.${key} refuses a receiver of length ${length} (over ${MAX_ARRAY_LENGTH})`);
        }
        return Reflect.apply(original, this, args);
      },
    }[key]!;
    Object.defineProperty(capped, 'length', { value: original.length });
    Object.defineProperty(proto, key, { ...descriptor, value: capped });
  }
}
