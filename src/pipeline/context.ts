/**
 * What every stage of a run shares: the run directory, the resolved settings, the model client, events, the
 * stop signal and the spend so far. Creating the context opens (or resumes) the run directory; the usage is
 * saved whenever the run ends, stopped or not.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EvaporateError } from '../core/errors.ts';
import type { RunSettings } from '../core/settings.ts';
import { defaultCallCacheDir } from '../core/user-cache.ts';
import {
  addUsage,
  createModelClient,
  importBatchOutput,
  spendLineSchema,
  usageOfSpend,
  writeBatchFile,
  type ModelClient,
  type ModelEvent,
  type ModelSettings,
  type SpendLine,
  type UsageReport,
} from '../model/index.ts';
import { RUN_FILES, readArtifact, writeArtifact, type Artifact, type ArtifactKey } from '../run/index.ts';
import type { PipelineEvent, StageName } from './events.ts';
import { changedSettings, resolveSettings, type ExtractOptions } from './options.ts';
import type { QueueRunOptions } from './queue/index.ts';

export interface RunContext {
  /** Where artifacts are saved; null for a dry run (estimate) that saves nothing. */
  readonly runDir: string | null;
  readonly settings: RunSettings;
  readonly client: ModelClient | null;
  readonly emit: (event: PipelineEvent) => void;
  readonly signal: AbortSignal | undefined;
  /** Sandbox limits that may differ between the processes of one run. */
  readonly isolates: number | undefined;
  /** Apply on queue workers instead of here. */
  readonly queue: QueueRunOptions | undefined;
  /** Stage name -> digest of the inputs its saved artifact was computed from (stages.json). */
  readonly recorded: Artifact<'stages'>;
  /** Content digests of the artifacts read or written so far, for the digests of the stages built on them. */
  readonly contents: Map<ArtifactKey, string>;
  readonly stageSeconds: Partial<Record<StageName, number>>;
  /** Set once a stage could not finish (failed or pending requests): the stages after it are not saved either. */
  incomplete: boolean;
  /** Write this process's spend (added to earlier processes') into usage.json. */
  saveUsage(): Promise<UsageReport | null>;
}

/** The run stopped because model answers are needed that only a batch file can bring. */
export class BatchPendingError extends EvaporateError {
  override name = 'BatchPendingError';
  readonly file: string;
  readonly requests: number;
  readonly runDir: string;
  constructor(file: string, requests: number, runDir: string) {
    super(
      'batch-pending',
      `${requests} model request(s) are waiting in ${file}. Submit it to the OpenAI Batch API (or answer it another way), then resume the run with the batch's output file.`,
      { resume: runDir, settings: ['batchImport'] },
    );
    this.file = file;
    this.requests = requests;
    this.runDir = runDir;
  }
}

export class ExtractError extends EvaporateError {
  override name = 'ExtractError';
}

/** Open the run directory (resuming what it holds) and the model client. */
export async function createRunContext(options: ExtractOptions, runDirOption: string): Promise<RunContext> {
  const runDir = resolve(runDirOption);
  const emit = options.onEvent ?? (() => {});
  await mkdir(runDir, { recursive: true });
  await removeLeftovers(runDir);
  const earlier = await readArtifact(runDir, 'run');
  // The run's clock: what Date.now() says inside the sandbox, so functions that read it give the same output
  // in this run, when it is resumed, and when its program is applied later.
  const settings = resolveSettings(options, earlier?.startedAt ?? Date.now());
  if (earlier !== undefined) {
    if (earlier.documents !== settings.documents) {
      throw new ExtractError('run-conflict', `${runDir} holds a run over ${earlier.documents}, not ${settings.documents}. Use another run directory.`, { settings: ['runDir'] });
    }
    const changed = changedSettings(earlier, settings);
    if (changed.length > 0) emit({ type: 'notice', message: `Settings changed since this run last ran (${changed.join(', ')}): the stages they affect are recomputed.` });
  }
  await writeArtifact(runDir, 'run', settings);
  const spendPath = join(runDir, RUN_FILES.spend);
  const spend = await readSpend(spendPath);
  let spendLines = spend.length;
  const earlierUsage = withUnsavedSpend(await readArtifact(runDir, 'usage').catch(() => undefined), spend, options.model ?? null);
  const recorded = (await readArtifact(runDir, 'stages').catch(() => undefined)) ?? {};

  const cacheDir = join(runDir, RUN_FILES.cache);
  const sharedCacheDir = options.cacheDir === false ? null : options.cacheDir !== undefined ? resolve(options.cacheDir) : defaultCallCacheDir();
  for (const file of options.batchImport ?? []) {
    if (!existsSync(file)) throw new ExtractError('invalid-option', `Batch output file not found: ${file}. Download the batch's output file and pass its path.`, { settings: ['batchImport'] });
    const imported = await importBatchOutput(file, cacheDir, sharedCacheDir);
    emit({ type: 'notice', message: `Imported ${imported.imported} batch answer(s) from ${file}${imported.failed ? `, ${imported.failed} failed` : ''}` });
  }
  let client: ModelClient | null = null;
  const onModelEvent = (event: ModelEvent) => {
    emit({ type: 'model', event });
    if (event.type !== 'answered' || event.cached || client === null) return;
    // Written at once, synchronously: a process killed a moment later has still recorded what it paid for.
    if (event.usage) {
      appendFileSync(spendPath, `${JSON.stringify({ stage: event.stage, ...event.usage })}\n`);
      spendLines++;
    }
    const { promptTokens, completionTokens, costUsd } = client.usage().total;
    emit({ type: 'usage', promptTokens, completionTokens, costUsd });
  };
  if (options.model) {
    client = stoppable(createModelClient(options.model, { cacheDir, sharedCacheDir, mode: options.batchExport ? 'batch' : 'live', onEvent: onModelEvent }), options.signal);
  }
  return {
    runDir,
    settings,
    client,
    emit,
    signal: options.signal,
    isolates: options.isolates,
    queue: options.queue,
    recorded,
    contents: new Map(),
    stageSeconds: {},
    incomplete: false,
    async saveUsage() {
      if (client === null) return null;
      const usage = { ...(earlierUsage ? addUsage(earlierUsage, client.usage()) : client.usage()), spendLines };
      await writeArtifact(runDir, 'usage', usage);
      return usage;
    },
  };
}

/** A context that saves nothing (no run directory): for estimates and model-free discovery. */
export function createDryContext(settings: RunSettings, client: ModelClient | null, emit: (event: PipelineEvent) => void = () => {}): RunContext {
  return {
    runDir: null,
    settings,
    client,
    emit,
    signal: undefined,
    isolates: undefined,
    queue: undefined,
    recorded: {},
    contents: new Map(),
    stageSeconds: {},
    incomplete: false,
    saveUsage: async () => (client ? client.usage() : null),
  };
}

async function readSpend(path: string): Promise<SpendLine[]> {
  if (!existsSync(path)) return [];
  // A line cut by a kill is the one answer that cannot be counted; every whole line is.
  return (await readFile(path, 'utf8')).split('\n').flatMap((line) => {
    try {
      const parsed = spendLineSchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** usage.json plus the spend of processes that were killed before they could write it (the ledger lines it does not cover). */
function withUnsavedSpend(saved: UsageReport | undefined, spend: readonly SpendLine[], model: ModelSettings | null): UsageReport | undefined {
  const unsaved = spend.slice(saved?.spendLines ?? 0);
  if (unsaved.length === 0 || model === null) return saved;
  const killed = usageOfSpend(model.model, model.prices, unsaved);
  return saved ? addUsage(saved, killed) : killed;
}

/**
 * Partial files (`table.csv.<pid>.partial`, `<file>.<pid>.<hex>.tmp`) that a process killed mid-write left behind.
 * Only those of processes that are gone: a live one may still be writing.
 */
async function removeLeftovers(runDir: string): Promise<void> {
  for (const name of await readdir(runDir)) {
    const pid = Number(/\.(\d+)(?:\.[0-9a-f]+\.tmp|\.partial)$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    await rm(join(runDir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** With `batchExport` set, end the run here when requests wait for answers, writing them to that file. */
export async function stopIfPending(ctx: RunContext, batchExport: string | undefined): Promise<void> {
  if (ctx.client === null || batchExport === undefined || ctx.runDir === null) return;
  const pending = ctx.client.pending();
  if (pending.length === 0) return;
  await writeBatchFile(batchExport, pending);
  throw new BatchPendingError(batchExport, pending.length, ctx.runDir);
}

/**
 * A client whose calls throw once the run is stopped, so a stage in progress ends without saving a partial
 * output; answers already received are in the cache, and the resumed run picks them up.
 */
function stoppable(client: ModelClient, signal: AbortSignal | undefined): ModelClient {
  if (signal === undefined) return client;
  return {
    chat: async (stage, request) => {
      signal.throwIfAborted();
      const outcome = await client.chat(stage, request);
      signal.throwIfAborted();
      return outcome;
    },
    usage: () => client.usage(),
    pending: () => client.pending(),
    inFlight: () => client.inFlight(),
  };
}
