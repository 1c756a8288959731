/** Runs inside the isolate, before it is locked down: puts a check in front of every method of a prototype. */

/**
 * Replaces each own method of `proto` (but `constructor`) with one that calls `before(name, receiver)` first, which
 * throws to refuse the call. Names and lengths are kept, so code that inspects the methods sees no difference.
 */
export function guardMethods(proto: object, before: (name: string, receiver: unknown) => void): void {
  const target = proto as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(target)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    const original = descriptor?.value as ((...args: unknown[]) => unknown) | undefined;
    if (key === 'constructor' || typeof original !== 'function') continue;
    const guarded = {
      [key](this: unknown, ...args: unknown[]): unknown {
        before(key, this);
        return Reflect.apply(original, this, args);
      },
    }[key]!;
    Object.defineProperty(guarded, 'length', { value: original.length });
    Object.defineProperty(target, key, { ...descriptor, value: guarded });
  }
}
