/**
 * Usage and cost per stage. Live calls spend actual tokens; calls answered from the cache (or by
 * an identical request already in flight) spend nothing and are counted as cached ("virtual")
 * tokens, so a resumed run shows both what it paid and what it reused.
 */
import { z } from 'zod';
import { costUsd, priceFor, type PriceTable } from './pricing.ts';

export const stageUsageSchema = z.object({
  /** chat() calls, whatever their outcome. */
  calls: z.number(),
  /** Answered by a live request (after any retries). */
  liveCalls: z.number(),
  cachedCalls: z.number(),
  failedCalls: z.number(),
  /** Not answered because the client is in batch mode: they wait in the batch file. */
  pendingCalls: z.number(),
  /** HTTP attempts made, retries included. */
  attempts: z.number(),
  /** Actual tokens, from the API's usage fields. */
  promptTokens: z.number(),
  completionTokens: z.number(),
  /** Live calls whose endpoint reported no usage, so their tokens are estimates. */
  estimatedUsageCalls: z.number(),
  /** Answers (live or cached) cut at the token limit (`finish_reason: length`). */
  truncatedCalls: z.number().default(0),
  /** Tokens of cached answers: what they cost when first made, not spent by this run. */
  cachedPromptTokens: z.number(),
  cachedCompletionTokens: z.number(),
  /** Cost of the actual tokens; null when the model's price is unknown. */
  costUsd: z.number().nullable(),
  /** What the cached answers would have cost if made again; null when the price is unknown. */
  cachedCostUsd: z.number().nullable(),
});
export type StageUsage = z.infer<typeof stageUsageSchema>;

export const usageReportSchema = z.object({
  model: z.string(),
  /** Price used, or null when unknown (local models, unlisted ids). */
  price: z.object({ inputPerMTok: z.number(), outputPerMTok: z.number() }).nullable(),
  stages: z.record(z.string(), stageUsageSchema),
  total: stageUsageSchema,
  /** Lines of the run's spend ledger (spend.jsonl) this report accounts for; later lines are a killed process's spend. */
  spendLines: z.number().int().optional(),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

type Counter = Omit<StageUsage, 'costUsd' | 'cachedCostUsd'>;

const emptyCounter = (): Counter => ({
  calls: 0,
  liveCalls: 0,
  cachedCalls: 0,
  failedCalls: 0,
  pendingCalls: 0,
  attempts: 0,
  promptTokens: 0,
  completionTokens: 0,
  estimatedUsageCalls: 0,
  truncatedCalls: 0,
  cachedPromptTokens: 0,
  cachedCompletionTokens: 0,
});

export type UsageRecord =
  | { kind: 'live'; promptTokens: number; completionTokens: number; estimated: boolean; truncated?: boolean }
  | { kind: 'cached'; promptTokens: number; completionTokens: number; truncated?: boolean }
  | { kind: 'failed' }
  | { kind: 'pending' };

export interface UsageLedger {
  /** One call's outcome. */
  record(stage: string, outcome: UsageRecord): void;
  /** One HTTP attempt. */
  attempt(stage: string): void;
  report(): UsageReport;
}

export function createUsageLedger(model: string, prices?: PriceTable): UsageLedger {
  const stages = new Map<string, Counter>();
  const price = priceFor(model, prices);
  const stage = (name: string): Counter => {
    let counter = stages.get(name);
    if (!counter) stages.set(name, (counter = emptyCounter()));
    return counter;
  };

  const withCost = (c: Counter): StageUsage => ({
    ...c,
    costUsd: price === null ? null : costUsd(price, c.promptTokens, c.completionTokens),
    cachedCostUsd: price === null ? null : costUsd(price, c.cachedPromptTokens, c.cachedCompletionTokens),
  });

  return {
    attempt(name) {
      stage(name).attempts++;
    },
    record(name, outcome) {
      const c = stage(name);
      c.calls++;
      if ((outcome.kind === 'live' || outcome.kind === 'cached') && outcome.truncated) c.truncatedCalls++;
      switch (outcome.kind) {
        case 'live':
          c.liveCalls++;
          c.promptTokens += outcome.promptTokens;
          c.completionTokens += outcome.completionTokens;
          if (outcome.estimated) c.estimatedUsageCalls++;
          break;
        case 'cached':
          c.cachedCalls++;
          c.cachedPromptTokens += outcome.promptTokens;
          c.cachedCompletionTokens += outcome.completionTokens;
          break;
        case 'failed':
          c.failedCalls++;
          break;
        case 'pending':
          c.pendingCalls++;
          break;
      }
    },
    report() {
      const total = emptyCounter();
      const byStage: Record<string, StageUsage> = {};
      for (const [name, c] of [...stages].sort(([a], [b]) => a.localeCompare(b))) {
        byStage[name] = withCost(c);
        for (const field of Object.keys(total) as (keyof Counter)[]) total[field] += c[field];
      }
      return { model, price, stages: byStage, total: withCost(total) };
    },
  };
}

/**
 * Usage of two processes of one run (a run stopped and resumed, or batch rounds), the later after the earlier.
 * A stage the later process ran again replaces the earlier's count of calls (it asked everything the stage
 * needs, answered from the cache where the earlier one paid), so each request counts once however many rounds it
 * took; what each process paid (live calls, tokens, cost) adds up, and cached calls exclude the answers the
 * earlier process bought. A stage only the earlier process ran (the later read it back) keeps its entry.
 */
export function addUsage(earlier: UsageReport, later: UsageReport): UsageReport {
  const names = [...new Set([...Object.keys(earlier.stages), ...Object.keys(later.stages)])].sort();
  const stages = Object.fromEntries(names.map((name) => [name, mergeStage(earlier.stages[name], later.stages[name])]));
  return { model: later.model, price: later.price, stages, total: sumStages(Object.values(stages), later.price !== null) };
}

function mergeStage(a: StageUsage | undefined, b: StageUsage | undefined): StageUsage {
  if (a === undefined) return b as StageUsage;
  if (b === undefined) return a;
  const cost = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  return {
    calls: b.calls,
    liveCalls: a.liveCalls + b.liveCalls,
    cachedCalls: Math.max(0, b.cachedCalls - a.liveCalls),
    failedCalls: b.failedCalls,
    pendingCalls: b.pendingCalls,
    attempts: a.attempts + b.attempts,
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    estimatedUsageCalls: a.estimatedUsageCalls + b.estimatedUsageCalls,
    truncatedCalls: b.truncatedCalls,
    cachedPromptTokens: Math.max(0, b.cachedPromptTokens - a.promptTokens),
    cachedCompletionTokens: Math.max(0, b.cachedCompletionTokens - a.completionTokens),
    costUsd: cost(a.costUsd, b.costUsd),
    cachedCostUsd: b.cachedCostUsd === null || a.costUsd === null ? b.cachedCostUsd : Math.max(0, b.cachedCostUsd - a.costUsd),
  };
}

function sumStages(stages: readonly StageUsage[], priced: boolean): StageUsage {
  const total = { ...emptyCounter() } as Counter;
  for (const stage of stages) for (const field of Object.keys(total) as (keyof Counter)[]) total[field] += stage[field];
  const cost = (pick: (stage: StageUsage) => number | null) =>
    !priced || stages.some((stage) => pick(stage) === null) ? null : stages.reduce((sum, stage) => sum + (pick(stage) as number), 0);
  return { ...total, costUsd: cost((stage) => stage.costUsd), cachedCostUsd: cost((stage) => stage.cachedCostUsd) };
}

/** One live answer as the spend ledger records it, the moment it arrives. */
export const spendLineSchema = z.object({ stage: z.string(), promptTokens: z.number(), completionTokens: z.number() });
export type SpendLine = z.infer<typeof spendLineSchema>;

/** The spend of live answers as a usage report (for a process that was killed before it could write its own). */
export function usageOfSpend(model: string, prices: PriceTable | undefined, lines: readonly SpendLine[]): UsageReport {
  const ledger = createUsageLedger(model, prices);
  for (const line of lines) ledger.record(line.stage, { kind: 'live', promptTokens: line.promptTokens, completionTokens: line.completionTokens, estimated: false });
  return ledger.report();
}
