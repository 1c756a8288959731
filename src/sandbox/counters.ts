/** Arithmetic on sandbox counters: one call's share of a long-lived sandbox, and several shards' sum. */
import type { SandboxCounters } from './types.ts';

/** What a sandbox counted between two readings. */
export function countersSince(before: SandboxCounters, after: SandboxCounters): SandboxCounters {
  const errors: Record<string, number> = {};
  for (const [kind, n] of Object.entries(after.errors)) if (n - (before.errors[kind] ?? 0) > 0) errors[kind] = n - (before.errors[kind] ?? 0);
  return {
    documents: after.documents - before.documents,
    calls: after.calls - before.calls,
    values: after.values - before.values,
    abstains: after.abstains - before.abstains,
    errors,
    disabled: after.disabled.slice(before.disabled.length),
    isolateRestarts: after.isolateRestarts - before.isolateRestarts,
    parses: after.parses - before.parses,
    parseMs: after.parseMs - before.parseMs,
    isolateCpuMs: after.isolateCpuMs - before.isolateCpuMs,
  };
}

/** The counters of several sandboxes (or shards) together. */
export function addCounters(all: readonly SandboxCounters[]): SandboxCounters {
  const total: SandboxCounters = { documents: 0, calls: 0, values: 0, abstains: 0, errors: {}, disabled: [], isolateRestarts: 0, parses: 0, parseMs: 0, isolateCpuMs: 0 };
  for (const c of all) {
    total.documents += c.documents;
    total.calls += c.calls;
    total.values += c.values;
    total.abstains += c.abstains;
    for (const [kind, n] of Object.entries(c.errors)) total.errors[kind] = (total.errors[kind] ?? 0) + n;
    for (const id of c.disabled) if (!total.disabled.includes(id)) total.disabled.push(id);
    total.isolateRestarts += c.isolateRestarts;
    total.parses += c.parses;
    total.parseMs += c.parseMs;
    total.isolateCpuMs += c.isolateCpuMs;
  }
  return total;
}
