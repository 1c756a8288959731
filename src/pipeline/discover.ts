import type { Converter, InputDocument } from '../corpus/index.ts';
import type { ModelSettings, UsageReport } from '../model/index.ts';
import { defaultRunDir, type SchemaArtifact } from '../run/index.ts';
import { createDryContext, createRunContext, ExtractError } from './context.ts';
import { openDocuments } from './documents.ts';
import type { PipelineEvent } from './events.ts';
import { resolveSettings } from './options.ts';
import { sampleStage } from './stages/sample.ts';
import { schemaStage } from './stages/schema.ts';

export interface DiscoverOptions {
  documents: string | Iterable<InputDocument>;
  /** With a model, the model lists attributes; without, the built-in rules find recurring labels. */
  model?: ModelSettings | null;
  sampleSize?: number;
  seed?: number;
  /** Most attributes to return (default 20). */
  maxAttributes?: number;
  chunkChars?: number;
  include?: string[];
  exclude?: string[];
  maxBytes?: number;
  /** Commands that read files of an extension instead of the built-in readers (see `ExtractOptions.converters`). */
  converters?: readonly Converter[];
  /** Follow symbolic links that lead out of the folder (default false). */
  followLinks?: boolean;
  /** With a model: the run directory holding the sample, the schema and the model-call cache (default `.evaporate/runs/<timestamp>`). */
  runDir?: string;
  /** The model-call cache shared by all runs, as in `extract` (false: the run's own cache only). */
  cacheDir?: string | false;
  onEvent?: (event: PipelineEvent) => void;
}

export interface DiscoverResult {
  attributes: SchemaArtifact;
  /** Who listed the attributes. */
  by: 'model' | 'builtin';
  sampleSize: number;
  usage: UsageReport | null;
}

/** Open IE's first stages alone (sample, schema): which attributes the sample's documents state, most frequent first. */
export async function discover(options: DiscoverOptions): Promise<DiscoverResult> {
  const corpus = await openDocuments(options.documents, options);
  const ctx = options.model
    ? await createRunContext({ ...options, attributes: [] }, options.runDir ?? defaultRunDir())
    : createDryContext(resolveSettings({ ...options, attributes: [] }, Date.now()), null, options.onEvent);
  try {
    const sample = await sampleStage(ctx, corpus);
    const attributes = await schemaStage(ctx, sample);
    if (attributes.length === 0 && ctx.incomplete) {
      throw new ExtractError('model-config', 'Every attribute-discovery request failed; check the model endpoint and try again.', { settings: ['model'] });
    }
    return { attributes, by: ctx.client ? 'model' : 'builtin', sampleSize: sample.length, usage: ctx.client?.usage() ?? null };
  } finally {
    await ctx.saveUsage();
  }
}
