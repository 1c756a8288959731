import { toAttributeSpec, type AttributeSpec } from '../core/attributes.ts';
import { DEFAULTS } from '../core/settings.ts';
import type { CorpusDocument } from '../corpus/index.ts';
import { extractDirect } from '../direct/index.ts';
import { createUsageLedger, estimateCost, type ChatRequest, type CostEstimate, type ModelClient, type ModelSettings } from '../model/index.ts';
import { discoverAttributesBuiltin } from '../schema/builtin.ts';
import { discoverWithModel } from '../schema/model.ts';
import { synthesizeWithModel } from '../synthesis/model.ts';
import { ExtractError } from './context.ts';
import { openDocuments } from './documents.ts';
import type { ExtractOptions } from './options.ts';
import { pickSample } from './stages/sample.ts';

export interface EstimateResult {
  model: string;
  documents: number;
  sampleSize: number;
  /** Attributes the estimate assumed; for open IE, those the built-in discovery finds stand in for the model's. */
  attributes: string[];
  openIE: boolean;
  /** Requests per stage the run would send. */
  requestsByStage: Record<string, number>;
  /** The method's whole model cost (code and code+ send the same requests). */
  code: CostEstimate;
  /** What --method direct would cost on this corpus: the sample's direct-extraction prompts, scaled to every document. */
  direct: CostEstimate;
}

/**
 * What a run would cost before spending anything. The run's model stages are played against a client that
 * records every request and answers none usefully, so each stage sends exactly the prompts it would send
 * (token counts are the model layer's estimate). Lower bounds where a real answer would cause more requests:
 * direct extraction asks a further chunk for a value not found, and open IE's re-rank adds one request.
 */
export async function estimate(options: ExtractOptions & { model: ModelSettings }): Promise<EstimateResult> {
  const corpus = await openDocuments(options.documents, options);
  const sample = await pickSample(corpus, options.sampleSize ?? DEFAULTS.sampleSize, options.seed ?? DEFAULTS.seed);
  if (sample.length === 0) throw new ExtractError('no-documents', 'None of the documents could be read.', { settings: ['include', 'exclude'] });
  const synth = options.synth ?? 'both';
  const usesModel = synth !== 'builtin';
  const chunk = options.chunkChars ? { chunkChars: options.chunkChars } : {};
  const { client, requests } = recordingClient();

  const openIE = !options.attributes?.length;
  let attributes: AttributeSpec[] = (options.attributes ?? []).map(toAttributeSpec);
  if (openIE) {
    if (usesModel) await discoverWithModel(sample, client, { max: options.maxAttributes ?? DEFAULTS.maxAttributes, rerank: false, ...chunk });
    attributes = discoverAttributesBuiltin(sample, { max: options.maxAttributes ?? DEFAULTS.maxAttributes }).map((attribute) => ({ name: attribute.name }));
  }
  if (usesModel) {
    for (const doc of sample) await extractDirect(doc, attributes, client, { stage: 'pseudo-labels', ...chunk });
    for (const attribute of attributes) await synthesizeWithModel(attribute, sample, client, { count: options.functionsPerAttribute ?? DEFAULTS.functionsPerAttribute, ...chunk });
  }

  const requestsByStage: Record<string, number> = {};
  for (const { stage } of requests) requestsByStage[stage] = (requestsByStage[stage] ?? 0) + 1;
  const cost = (chosen: typeof requests) => estimateCost(chosen.map((entry) => entry.request), options.model.model, options.model.prices);
  // Pseudo-labels are direct extraction on the sample; scaled to the corpus they are the direct method's cost.
  const perSample = cost(requests.filter((entry) => entry.stage === 'pseudo-labels'));
  const directSample = usesModel ? perSample : cost(sample.length ? await directRequests(sample, attributes, chunk) : []);
  const scale = corpus.documents.length / sample.length;
  return {
    model: options.model.model,
    documents: corpus.documents.length,
    sampleSize: sample.length,
    attributes: attributes.map((attribute) => attribute.name),
    openIE,
    requestsByStage,
    code: cost(requests),
    direct: {
      requests: Math.round(directSample.requests * scale),
      promptTokens: Math.round(directSample.promptTokens * scale),
      maxCompletionTokens: directSample.maxCompletionTokens === null ? null : Math.round(directSample.maxCompletionTokens * scale),
      costUsd: directSample.costUsd === null ? null : directSample.costUsd * scale,
    },
  };
}

type Recorded = { stage: string; request: ChatRequest }[];

/** A client that answers every call at once, with text no stage can use, and keeps what was asked. */
function recordingClient(): { client: ModelClient; requests: Recorded } {
  const requests: Recorded = [];
  const client: ModelClient = {
    chat: async (stage, request) => {
      requests.push({ stage, request });
      return { ok: true, content: '-', cached: false, usage: { promptTokens: 0, completionTokens: 0 } };
    },
    usage: () => createUsageLedger('').report(),
    pending: () => [],
    inFlight: () => 0,
  };
  return { client, requests };
}

// With --synth builtin no stage calls the model, but the direct method's cost is still worth showing.
async function directRequests(sample: CorpusDocument[], attributes: AttributeSpec[], chunk: { chunkChars?: number }): Promise<Recorded> {
  const { client, requests } = recordingClient();
  for (const doc of sample) await extractDirect(doc, attributes, client, { stage: 'pseudo-labels', ...chunk });
  return requests;
}
