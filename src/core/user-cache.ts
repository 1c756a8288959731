/**
 * Where evaporate keeps what outlives a run: the model calls every run can reuse, and unpacked
 * benchmark datasets. One folder per user, where the platform expects caches to live.
 */
import os from 'node:os';
import path from 'node:path';

/** The per-user cache root: `$XDG_CACHE_HOME`, `~/Library/Caches` or `%LOCALAPPDATA%`, then `evaporate-ts`. */
export function userCacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  const base =
    env['XDG_CACHE_HOME'] ||
    (platform === 'darwin' ? path.join(home, 'Library', 'Caches') : platform === 'win32' ? env['LOCALAPPDATA'] || path.join(home, 'AppData', 'Local') : path.join(home, '.cache'));
  return path.join(base, 'evaporate-ts');
}

/** Written for `EVAPORATE_CACHE_DIR` to turn the shared call cache off without a flag (CI, tests). */
export const NO_SHARED_CACHE = 'none';

/**
 * The shared call cache's folder, or null when it is off: `EVAPORATE_CACHE_DIR` when set (`none` turns
 * it off), else `calls/` under the per-user cache root.
 */
export function defaultCallCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env['EVAPORATE_CACHE_DIR'];
  if (chosen === NO_SHARED_CACHE) return null;
  return chosen ? path.resolve(chosen) : path.join(userCacheRoot(env), 'calls');
}
