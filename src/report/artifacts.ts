/**
 * Reads the artifacts of a run directory for the report. Every file is optional: a report of a run that
 * stopped early (or of an `apply` run, which writes only the table) shows what there is and says what is
 * missing. Schemas accept what the pipeline writes and tolerate extra fields; a file that does not fit is
 * reported as a note, never a crash.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ARTIFACTS } from '../pipeline/run-dir.ts';

const skippedFile = z.object({
  id: z.string(),
  path: z.string(),
  reason: z.enum(['unreadable', 'binary', 'empty', 'too-large']),
  detail: z.string(),
});

const runRecord = z.object({
  documents: z.string(),
  model: z.object({ model: z.string(), baseURL: z.string().nullable() }).nullable().optional(),
  method: z.string().optional(),
  synth: z.string().optional(),
  options: z
    .object({
      include: z.array(z.string()).optional(),
      exclude: z.array(z.string()).optional(),
      maxBytes: z.number().optional(),
    })
    .optional(),
});

const documentsRecord = z.object({ root: z.string(), documents: z.number(), skipped: z.array(skippedFile) });

const schemaRecord = z.array(z.object({ name: z.string(), description: z.string().optional() }));

const candidatesRecord = z.object({
  candidates: z.array(
    z.object({
      id: z.string(),
      attribute: z.string(),
      origin: z.string(),
      strategy: z.string(),
      sampleDocs: z.array(z.string()).optional(),
    }),
  ),
  failures: z.array(z.object({ attribute: z.string(), reason: z.string(), detail: z.string() })),
});

const scoresRecord = z.object({
  attributes: z.record(
    z.string(),
    z.object({
      abstainOnEmpty: z.boolean(),
      pseudoLabelSource: z.string(),
      scores: z.array(z.object({ id: z.string(), f1: z.number(), coverage: z.number() })),
      kept: z.array(z.string()),
      dropped: z.array(z.object({ id: z.string(), reason: z.string() })),
    }),
  ),
});

// Looser than the program schema the pipeline applies: a report shows whatever a hand-edited program holds.
const programRecord = z.object({
  method: z.string().optional(),
  attributes: z.array(
    z.object({
      name: z.string(),
      description: z.string().optional(),
      abstainOnEmpty: z.boolean().optional(),
      functions: z.array(
        z.object({
          id: z.string(),
          source: z.string(),
          origin: z.string().optional(),
          strategy: z.string().optional(),
          sampleDocs: z.array(z.string()).optional(),
          sampleF1: z.number().optional(),
          accuracy: z.number().optional(),
        }),
      ),
    }),
  ),
});

const stageUsage = z.object({
  calls: z.number(),
  liveCalls: z.number(),
  cachedCalls: z.number(),
  failedCalls: z.number(),
  pendingCalls: z.number(),
  attempts: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  estimatedUsageCalls: z.number(),
  cachedPromptTokens: z.number(),
  cachedCompletionTokens: z.number(),
  costUsd: z.number().nullable(),
  cachedCostUsd: z.number().nullable(),
});

const usageRecord = z.object({
  model: z.string(),
  price: z.object({ inputPerMTok: z.number(), outputPerMTok: z.number() }).nullable(),
  stages: z.record(z.string(), stageUsage),
  total: stageUsage,
});

const summaryRecord = z.object({
  method: z.string().optional(),
  synthesizer: z.string().optional(),
  applyDocsPerSecond: z.number().optional(),
  stageSeconds: z.record(z.string(), z.number()).optional(),
  sandbox: z
    .object({
      calls: z.number(),
      values: z.number(),
      abstains: z.number(),
      errors: z.record(z.string(), z.number()),
      disabled: z.array(z.string()),
      isolateRestarts: z.number(),
    })
    .nullable()
    .optional(),
});

const cellValue = z.array(z.string()).nullable();
const cellsLine = z.object({
  doc: z.string(),
  cells: z.record(
    z.string(),
    z.object({
      value: cellValue,
      confidence: z.number(),
      voters: z.array(z.string()),
      spans: z.array(z.tuple([z.number(), z.number()])),
      candidates: z.array(z.object({ value: cellValue, probability: z.number(), voters: z.array(z.string()) })),
    }),
  ),
});

const evaluationRecord = z.object({
  attributes: z.array(z.object({ name: z.string(), column: z.string().nullable(), f1: z.number() })),
  averageF1: z.number(),
  pairs: z.object({ precision: z.number(), recall: z.number(), f1: z.number() }),
  documents: z.array(
    z.object({
      doc: z.string(),
      predDoc: z.string().nullable(),
      meanF1: z.number(),
      cells: z.record(z.string(), z.object({ gold: z.array(z.string()), f1: z.number() })),
    }),
  ),
  missingDocuments: z.array(z.string()),
});

export type RunRecord = z.infer<typeof runRecord>;
export type DocumentsRecord = z.infer<typeof documentsRecord>;
export type SchemaRecord = z.infer<typeof schemaRecord>;
export type CandidatesRecord = z.infer<typeof candidatesRecord>;
export type ScoresRecord = z.infer<typeof scoresRecord>;
export type ProgramRecord = z.infer<typeof programRecord>;
export type UsageRecord = z.infer<typeof usageRecord>;
export type SummaryRecord = z.infer<typeof summaryRecord>;
export type CellsLine = z.infer<typeof cellsLine>;
export type EvaluationRecord = z.infer<typeof evaluationRecord>;

export interface RunArtifacts {
  run?: RunRecord;
  documents?: DocumentsRecord;
  sample?: string[];
  schema?: SchemaRecord;
  candidates?: CandidatesRecord;
  scores?: ScoresRecord;
  program?: ProgramRecord;
  usage?: UsageRecord;
  summary?: SummaryRecord;
  evaluation?: EvaluationRecord;
  /** Problems met while reading, for the page. */
  notes: string[];
}

const jsonArtifacts = {
  run: [ARTIFACTS.run, runRecord],
  documents: [ARTIFACTS.documents, documentsRecord],
  sample: [ARTIFACTS.sample, z.array(z.string())],
  schema: [ARTIFACTS.schema, schemaRecord],
  candidates: [ARTIFACTS.candidates, candidatesRecord],
  scores: [ARTIFACTS.scores, scoresRecord],
  program: [ARTIFACTS.program, programRecord],
  usage: [ARTIFACTS.usage, usageRecord],
  summary: [ARTIFACTS.summary, summaryRecord],
  evaluation: [ARTIFACTS.evaluation, evaluationRecord],
} as const;

/** Read every JSON artifact the run directory holds (all but the cells, which are streamed). */
export async function readRunArtifacts(runDir: string): Promise<RunArtifacts> {
  const result: RunArtifacts = { notes: [] };
  for (const [key, [file, schema]] of Object.entries(jsonArtifacts)) {
    const path = join(runDir, file);
    if (!existsSync(path)) continue;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      result.notes.push(`${file} could not be read (${(error as Error).message.split('\n')[0]}); the report leaves it out.`);
      continue;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      result.notes.push(`${file} does not have the expected shape (${issue?.path.join('.') || '(root)'}: ${issue?.message}); the report leaves it out.`);
      continue;
    }
    (result as unknown as Record<string, unknown>)[key] = parsed.data;
  }
  return result;
}

/** One line of cells.jsonl, or why it is unusable. */
export function parseCellsLine(line: string): CellsLine | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? 'invalid JSON' };
  }
  const parsed = cellsLine.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
}
