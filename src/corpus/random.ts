/** A seeded pseudo-random generator (mulberry32): same seed, same sequence, on every platform. */
export function seededRandom(seed: number | string): () => number {
  let state = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Pick `count` items without replacement, reproducibly for a given seed. The result does not depend on
 * the input's order: items are ordered by `key` first, so listing a folder differently changes nothing.
 */
export function seededSample<T>(items: readonly T[], count: number, seed: number | string, key: (item: T) => string): T[] {
  const pool = [...items].sort((a, b) => compareStrings(key(a), key(b)));
  const random = seededRandom(seed);
  const take = Math.min(Math.max(0, count), pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, take);
}

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
