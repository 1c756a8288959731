/**
 * Builds the library object of ../library.ts from its compiled factory. Runs inside the isolate (and on the host,
 * for the built-in synthesizer, with the same code so both read documents alike).
 *
 * Sharing results between functions is safe only if no function can change them: results are frozen, the library
 * object and its functions are frozen, and the cache lives in this closure. A function could still try to poison
 * the cache by replacing a RegExp method just before it asks for a document's lines; `canCache` (the cheap check of
 * those methods) is asked before a result is kept, so a result computed under a tampered RegExp is given to the
 * tamperer alone, who is disabled when its call ends.
 */

type Helper = (...args: unknown[]) => unknown;
export type Library = Readonly<Record<string, Helper>>;

/** Documents a cached helper remembers: its calls on the current document with different arguments. */
const CACHE_ENTRIES = 8;

function isPrimitive(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

function memoizer(canCache: () => boolean): (fn: Helper) => Helper {
  return (fn) => {
    const entries: { args: unknown[]; value: unknown }[] = [];
    return function cached(...args: unknown[]): unknown {
      for (const entry of entries) {
        if (entry.args.length === args.length && entry.args.every((arg, i) => arg === args[i])) return entry.value;
      }
      const value = deepFreeze(Reflect.apply(fn, undefined, args));
      if (args.every(isPrimitive) && canCache()) {
        entries.unshift({ args, value });
        if (entries.length > CACHE_ENTRIES) entries.pop();
      }
      return value;
    };
  };
}

/** `factory` is what the library source returns (see libraryFactorySource in ../library.ts). */
export function buildLibrary(factory: unknown, canCache: () => boolean): Library {
  if (typeof factory !== 'function') throw new TypeError('the sandbox library source did not return its factory');
  const helpers = (factory as (memo: (fn: Helper) => Helper) => Record<string, Helper>)(memoizer(canCache));
  for (const helper of Object.values(helpers)) Object.freeze(helper);
  return Object.freeze(Object.assign(Object.create(null) as Record<string, Helper>, helpers));
}
