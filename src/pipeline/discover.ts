import { resolve, join } from 'node:path';
import { corpusFromDocuments, openCorpus, type InputDocument } from '../corpus/index.ts';
import { createModelClient, type ModelSettings, type UsageReport } from '../model/index.ts';
import { discoverAttributesBuiltin } from '../schema/builtin.ts';
import { discoverWithModel } from '../schema/model.ts';
import type { DiscoveredAttribute } from '../schema/names.ts';
import { ARTIFACTS, defaultRunDir } from './run-dir.ts';
import { pickSample } from './sample.ts';
import { ExtractError } from './extract.ts';

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
  /** Where the model-call cache goes (default `.evaporate/runs/<timestamp>`). */
  runDir?: string;
}

export interface DiscoverResult {
  attributes: DiscoveredAttribute[];
  synthesizer: 'model' | 'builtin';
  sampleSize: number;
  /** Model requests that failed (the list may then be incomplete). */
  failedRequests: number;
  usage: UsageReport | null;
}

/** Open IE's first stage alone: which attributes the sample's documents state, most frequent first. */
export async function discover(options: DiscoverOptions): Promise<DiscoverResult> {
  const corpus = typeof options.documents === 'string'
    ? await openCorpus(options.documents, { include: options.include, exclude: options.exclude, maxBytes: options.maxBytes })
    : corpusFromDocuments(options.documents);
  const sample = await pickSample(corpus, options.sampleSize ?? 10, options.seed ?? 0);
  if (sample.length === 0) throw new ExtractError('No readable documents found. Check the folder and the --include/--exclude patterns.');
  const max = options.maxAttributes ?? 20;
  if (!options.model) return { attributes: discoverAttributesBuiltin(sample, { max }), synthesizer: 'builtin', sampleSize: sample.length, failedRequests: 0, usage: null };
  const runDir = resolve(options.runDir ?? defaultRunDir());
  const client = createModelClient(options.model, { cacheDir: join(runDir, ARTIFACTS.cache) });
  const found = await discoverWithModel(sample, client, { max, ...(options.chunkChars ? { chunkChars: options.chunkChars } : {}) });
  if (found.attributes.length === 0 && found.failedRequests > 0) {
    throw new ExtractError(`All ${found.failedRequests} attribute-discovery request(s) failed; check the model endpoint and try again.`);
  }
  return { attributes: found.attributes, synthesizer: 'model', sampleSize: sample.length, failedRequests: found.failedRequests, usage: client.usage() };
}
