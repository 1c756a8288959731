/** Sandbox options with their defaults applied and checked. */
import os from 'node:os';
import type { SandboxOptions } from './types.ts';
import { DEFAULTS } from '../core/settings.ts';

export interface ResolvedOptions {
  isolates: number;
  timeoutMs: number;
  memoryLimitMb: number;
  semiSpaceMb: number;
  maxFailures: number;
  maxStringLength: number;
  maxArrayItems: number;
  now: number;
  /** Time limit of one call into an isolate (several functions on several documents). */
  callTimeoutMs: number;
}

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const pick = (name: keyof SandboxOptions, fallback: number, min: number): number => {
    const v = options[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      throw new RangeError(`sandbox option ${name} must be a number >= ${min}, got ${String(v)}`);
    }
    return v;
  };
  const timeoutMs = pick('timeoutMs', DEFAULTS.timeoutMs, 1);
  return {
    isolates: Math.floor(pick('isolates', os.availableParallelism(), 1)),
    timeoutMs,
    // isolated-vm refuses limits under 8 MB.
    memoryLimitMb: pick('memoryLimitMb', 128, 8),
    semiSpaceMb: Math.floor(pick('semiSpaceMb', 16, 0)),
    maxFailures: Math.floor(pick('maxFailures', 3, 1)),
    maxStringLength: Math.floor(pick('maxStringLength', 2000, 1)),
    maxArrayItems: Math.floor(pick('maxArrayItems', 50, 1)),
    now: pick('now', Date.now(), 0),
    // Generous next to the per-function limit: a call that runs out only costs a resume (see ./batch.ts).
    callTimeoutMs: Math.max(4 * timeoutMs, 250),
  };
}
