import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateCost, type BatchRequestLine, type ChatRequest, type CostEstimate, type ModelSettings } from '../model/index.ts';
import { BatchPendingError, extract, ExtractError, type ExtractOptions } from './extract.ts';
import { discover } from './discover.ts';
import { ARTIFACTS, readArtifact } from './run-dir.ts';

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
 * What a run would cost before spending anything: the run is played in batch mode against an empty cache,
 * so the requests counted are exactly the prompts it would send (token counts are the model layer's estimate).
 */
export async function estimate(options: ExtractOptions & { model: ModelSettings }): Promise<EstimateResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'evaporate-estimate-'));
  try {
    const requests: BatchRequestLine[] = [];
    const stageOf = new Map<string, string>();
    const play = async (name: string, attributes: ExtractOptions['attributes']) => {
      const runDir = join(scratch, name);
      const batchExport = join(scratch, `${name}.jsonl`);
      try {
        await extract({
          ...options,
          attributes,
          runDir,
          batchExport,
          batchImport: [],
          out: undefined,
          cacheDir: join(runDir, 'cache'),
          onEvent: (event) => {
            if (event.type === 'model' && event.event.type === 'pending') stageOf.set(event.event.key, event.event.stage);
          },
        });
      } catch (error) {
        if (!(error instanceof BatchPendingError)) throw error;
        const lines = (await readFile(batchExport, 'utf8')).split('\n').filter(Boolean);
        requests.push(...lines.map((line) => JSON.parse(line) as BatchRequestLine));
        return;
      }
      throw new ExtractError('estimate: the run finished without any model request; nothing to estimate');
    };
    const openIE = !options.attributes?.length;
    let attributes = options.attributes;
    if (openIE) {
      await play('schema', undefined);
      const found = await discover({ ...options, model: null, runDir: join(scratch, 'discover') });
      attributes = found.attributes.map((attribute) => attribute.name);
    }
    await play('extract', attributes);
    const toRequest = (line: BatchRequestLine): ChatRequest => ({
      messages: line.body.messages,
      ...(line.body.max_tokens !== undefined ? { maxTokens: line.body.max_tokens } : {}),
    });
    const documents = await readArtifact<{ documents: number }>(join(scratch, 'extract'), ARTIFACTS.documents);
    const sample = (await readArtifact<string[]>(join(scratch, 'extract'), ARTIFACTS.sample)) ?? [];
    const code = estimateCost(requests.map(toRequest), options.model.model, options.model.prices);
    const requestsByStage: Record<string, number> = {};
    for (const line of requests) {
      const stage = stageOf.get(line.custom_id) ?? 'unknown';
      requestsByStage[stage] = (requestsByStage[stage] ?? 0) + 1;
    }
    // Pseudo-labels are direct extraction on the sample documents; scaled up they are the direct method's cost.
    const sampleDirect = requests.filter((line) => stageOf.get(line.custom_id) === 'pseudo-labels');
    const perSampleDoc = estimateCost(sampleDirect.map(toRequest), options.model.model, options.model.prices);
    const scale = sample.length > 0 ? (documents?.documents ?? 0) / sample.length : 0;
    return {
      model: options.model.model,
      documents: documents?.documents ?? 0,
      sampleSize: sample.length,
      attributes: (attributes ?? []).map((attribute) => (typeof attribute === 'string' ? attribute : attribute.name)),
      openIE,
      requestsByStage,
      code,
      direct: {
        requests: Math.round(perSampleDoc.requests * scale),
        promptTokens: Math.round(perSampleDoc.promptTokens * scale),
        maxCompletionTokens: perSampleDoc.maxCompletionTokens === null ? null : Math.round(perSampleDoc.maxCompletionTokens * scale),
        costUsd: perSampleDoc.costUsd === null ? null : perSampleDoc.costUsd * scale,
      },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
