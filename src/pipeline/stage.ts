/**
 * Running one stage: reuse its saved artifact while the digest of its inputs still matches (across
 * processes), else compute it, save it when complete, and record the digest.
 */
import { readFileSync } from 'node:fs';
import { loadPrompt, type PromptName } from '../prompting/templates.ts';
import { ArtifactError, digestOf, readArtifactText, writeArtifact, type Artifact, type ArtifactKey } from '../run/index.ts';
import type { RunContext } from './context.ts';
import type { StageName } from './events.ts';

/** What a stage's saved output depends on. */
export interface StagePlan<K extends ArtifactKey> {
  stage: StageName;
  artifact: K;
  /** Upstream artifacts it is computed from: their contents are part of the digest. */
  from: readonly ArtifactKey[];
  /** The settings that matter to it (anything JSON). */
  settings: unknown;
  /** The prompt templates it sends, whose texts are part of the digest. */
  prompts?: readonly PromptName[];
}

export interface Computed<T> {
  value: T;
  /** False when requests failed or wait in a batch file: the output is used but not saved. */
  complete: boolean;
}

// A new release may compute a stage differently (built-in rules, scoring): its stages are recomputed.
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function runStage<K extends ArtifactKey>(
  ctx: RunContext,
  plan: StagePlan<K>,
  compute: () => Promise<Computed<Artifact<K>>>,
): Promise<Artifact<K>> {
  const inputs = digestOf({
    version: VERSION,
    stage: plan.stage,
    settings: plan.settings,
    from: plan.from.map((key) => [key, ctx.contents.get(key) ?? null]),
    prompts: (plan.prompts ?? []).map((name) => [name, digestOf(loadPrompt(name))]),
  });
  const runDir = ctx.runDir;
  if (runDir !== null && !ctx.incomplete && ctx.recorded[plan.stage]?.inputs === inputs) {
    const saved = await readSaved(ctx, runDir, plan.artifact);
    if (saved !== undefined) {
      ctx.contents.set(plan.artifact, digestOf(saved.text));
      ctx.emit({ type: 'stage', stage: plan.stage, status: 'resumed', detail: plan.artifact });
      return saved.value;
    }
  }
  const { value, complete } = await timed(ctx, plan.stage, compute);
  if (runDir !== null && complete && !ctx.incomplete) {
    const text = await writeArtifact(runDir, plan.artifact, value);
    ctx.contents.set(plan.artifact, digestOf(text));
    ctx.recorded[plan.stage] = { inputs };
    await writeArtifact(runDir, 'stages', ctx.recorded);
  } else {
    ctx.incomplete = true;
    ctx.contents.set(plan.artifact, digestOf(JSON.stringify(value)));
  }
  return value;
}

/** A saved artifact that no longer validates is recomputed (every stage can be, and model answers are cached); the choice is logged. */
async function readSaved<K extends ArtifactKey>(ctx: RunContext, runDir: string, key: K) {
  try {
    return await readArtifactText(runDir, key);
  } catch (error) {
    if (!(error instanceof ArtifactError)) throw error;
    ctx.emit({ type: 'notice', message: `${error.file} ${error.problem}; recomputing it` });
    return undefined;
  }
}

export async function timed<T>(ctx: RunContext, stage: StageName, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  ctx.emit({ type: 'stage', stage, status: 'start' });
  const value = await work();
  ctx.stageSeconds[stage] = (ctx.stageSeconds[stage] ?? 0) + (performance.now() - started) / 1000;
  ctx.emit({ type: 'stage', stage, status: 'done' });
  return value;
}
