import { resolve } from 'node:path';
import { toAttributeSpec, type AttributeSpec } from '../core/attributes.ts';
import { DEFAULTS, defaultSynth, type Aggregation, type Method, type RunSettings, type SynthMode } from '../core/settings.ts';
import type { Converter, InputDocument } from '../corpus/index.ts';
import type { ModelSettings } from '../model/index.ts';
import type { ResultRow, TableFormat } from '../run/index.ts';
import type { PipelineEvent } from './events.ts';
import type { QueueRunOptions } from './queue/index.ts';

/** What a caller may set for a run; every setting left out takes its default from core/settings.ts. */
export interface ExtractOptions {
  /** A folder of documents, or documents in memory. */
  documents: string | Iterable<InputDocument>;
  /** Attributes to extract (closed IE); omit to discover them from the sample (open IE). */
  attributes?: Array<string | AttributeSpec>;
  /** The model to use; null or absent runs without a model (built-in synthesizer only). */
  model?: ModelSettings | null;
  /** Default: 'both' with a model, 'builtin' without; 'model' reproduces the paper's method. */
  synth?: SynthMode;
  /** Default 'code+'. */
  method?: Method;
  /** How code+ combines votes: 'ws' label model (default) or 'mv' majority vote. */
  aggregation?: Aggregation;
  /** Documents shown to the model (default 10). */
  sampleSize?: number;
  /** Seed for sampling (default 0). */
  seed?: number;
  /** Candidate functions the model is asked for per attribute (default 20). */
  functionsPerAttribute?: number;
  /** Functions kept per attribute (default 10). */
  topK?: number;
  /** Functions scoring under this F1 on the sample are dropped (default 0.5). */
  minF1?: number;
  /** Most attributes kept by open IE (default 20). */
  maxAttributes?: number;
  /** Chunk budget in characters for prompts (default 3000). */
  chunkChars?: number;
  /** Run directory (default `.evaporate/runs/<timestamp>`); an existing one is resumed. */
  runDir?: string;
  /** Also write the table here (.csv, .jsonl, .json or .parquet). */
  out?: string;
  /** The table's format (csv, jsonl, json, parquet); default from the extension of `out`, else csv. */
  format?: TableFormat;
  /**
   * The model-call cache shared by all runs, read when the run's own `cache/` misses and written with every
   * answer, so another run never pays twice for a call (default `$EVAPORATE_CACHE_DIR`, else a per-user cache
   * folder such as `~/.cache/evaporate-ts/calls`; false: the run's own cache only).
   */
  cacheDir?: string | false;
  include?: string[];
  exclude?: string[];
  /** Skip files larger than this (default 20 MiB). */
  maxBytes?: number;
  /** Follow symbolic links that lead out of the folder (default false). */
  followLinks?: boolean;
  /** Commands that turn files of an extension into text or HTML, read instead of the built-in readers (`parseConverter`). */
  converters?: readonly Converter[];
  /** Per function per document (default 100 ms). */
  timeoutMs?: number;
  /** Isolates in the sandbox pool (default one per core). */
  isolates?: number;
  /** Run the apply stage on queue workers (`evaporate worker`); the model stages run here. The table is the same. */
  queue?: QueueRunOptions;
  /** Answer model calls from the cache only and write the rest to this OpenAI Batch API input file. */
  batchExport?: string;
  /** OpenAI Batch API output file(s) to load into the cache before running. */
  batchImport?: string[];
  onEvent?: (event: PipelineEvent) => void;
  /** Streams each result row as the apply stage produces it. */
  onRow?: (row: ResultRow) => void | Promise<void>;
  signal?: AbortSignal;
}

export const IN_MEMORY = '<in memory>';

/** The options with every default filled in: what run.json records and what stage digests are computed from. */
export function resolveSettings(options: ExtractOptions, startedAt: number): RunSettings {
  const model = options.model ?? null;
  return {
    documents: typeof options.documents === 'string' ? resolve(options.documents) : IN_MEMORY,
    model: model ? { model: model.model, baseURL: model.baseURL ?? null } : null,
    method: options.method ?? DEFAULTS.method,
    synth: options.synth ?? defaultSynth(model !== null),
    aggregation: options.aggregation ?? DEFAULTS.aggregation,
    attributes: options.attributes?.length ? options.attributes.map(toAttributeSpec) : null,
    sampleSize: options.sampleSize ?? DEFAULTS.sampleSize,
    seed: options.seed ?? DEFAULTS.seed,
    functionsPerAttribute: options.functionsPerAttribute ?? DEFAULTS.functionsPerAttribute,
    topK: options.topK ?? DEFAULTS.topK,
    minF1: options.minF1 ?? DEFAULTS.minF1,
    maxAttributes: options.maxAttributes ?? DEFAULTS.maxAttributes,
    chunkChars: options.chunkChars ?? DEFAULTS.chunkChars,
    include: options.include ?? null,
    exclude: options.exclude ?? null,
    maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    followLinks: options.followLinks ?? false,
    converters: options.converters?.length ? [...options.converters] : null,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    startedAt,
  };
}

/** Names of the settings that differ between two resolved records (the clock aside). */
export function changedSettings(earlier: RunSettings, now: RunSettings): string[] {
  return (Object.keys(now) as (keyof RunSettings)[]).filter(
    (key) => key !== 'startedAt' && JSON.stringify(earlier[key] ?? null) !== JSON.stringify(now[key] ?? null),
  );
}
