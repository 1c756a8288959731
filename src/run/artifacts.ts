/**
 * The run directory: which file holds which artifact, and typed, validated reading and writing. Every
 * module that touches a run directory (stages, the CLI, the report, tests) goes through here.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { EvaporateError } from '../core/errors.ts';
import { runSettingsSchema } from '../core/settings.ts';
import { evaluationReportSchema } from '../eval/evaluate.ts';
import { usageReportSchema } from '../model/index.ts';
import { programSchema } from './program.ts';
import {
  attributesSchema,
  candidatesSchema,
  documentsSchema,
  layoutsSchema,
  pseudoLabelsSchema,
  sampleSchema,
  sampleVotesSchema,
  scoresSchema,
  stageDigestsSchema,
  summarySchema,
} from './schemas.ts';

/** The JSON artifacts, by key: file name and schema. */
export const ARTIFACTS = {
  run: { file: 'run.json', schema: runSettingsSchema },
  documents: { file: 'documents.json', schema: documentsSchema },
  layouts: { file: 'layouts.json', schema: layoutsSchema },
  sample: { file: 'sample.json', schema: sampleSchema },
  schema: { file: 'schema.json', schema: attributesSchema },
  pseudoLabels: { file: 'pseudo-labels.json', schema: pseudoLabelsSchema },
  candidates: { file: 'candidates.json', schema: candidatesSchema },
  sampleVotes: { file: 'sample-votes.json', schema: sampleVotesSchema },
  scores: { file: 'scores.json', schema: scoresSchema },
  program: { file: 'program.json', schema: programSchema },
  usage: { file: 'usage.json', schema: usageReportSchema },
  summary: { file: 'summary.json', schema: summarySchema },
  /** Written by bench: the table scored against gold. */
  evaluation: { file: 'evaluation.json', schema: evaluationReportSchema },
  stages: { file: 'stages.json', schema: stageDigestsSchema },
} as const;

/** The run directory's other entries: streamed rows, the review page, the model-call cache, the spend ledger. */
export const RUN_FILES = { cells: 'cells.jsonl', report: 'report.html', cache: 'cache', spend: 'spend.jsonl' } as const;

export type ArtifactKey = keyof typeof ARTIFACTS;
export type Artifact<K extends ArtifactKey> = z.infer<(typeof ARTIFACTS)[K]['schema']>;

/** An artifact on disk that is not valid JSON or does not fit its schema (a hand edit gone wrong, usually). */
export class ArtifactError extends EvaporateError {
  override name = 'ArtifactError';
  readonly file: string;
  /** What is wrong, e.g. "does not have the expected shape: attributes.title.kept: expected array". */
  readonly problem: string;
  constructor(file: string, problem: string) {
    super('bad-artifact', `${file} ${problem}. Fix the file by hand, or delete it to have it recomputed.`);
    this.file = file;
    this.problem = problem;
  }
}

export function artifactPath(runDir: string, key: ArtifactKey): string {
  return join(runDir, ARTIFACTS[key].file);
}

/** The artifact's text and parsed value, or undefined when the file is absent; invalid content throws ArtifactError. */
export async function readArtifactText<K extends ArtifactKey>(runDir: string, key: K): Promise<{ value: Artifact<K>; text: string } | undefined> {
  const path = artifactPath(runDir, key);
  if (!existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8');
  return { value: parseArtifact(key, text, path), text };
}

/** The artifact, or undefined when the file is absent; invalid content throws ArtifactError naming the file and field. */
export async function readArtifact<K extends ArtifactKey>(runDir: string, key: K): Promise<Artifact<K> | undefined> {
  return (await readArtifactText(runDir, key))?.value;
}

export function parseArtifact<K extends ArtifactKey>(key: K, text: string, path: string = ARTIFACTS[key].file): Artifact<K> {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ArtifactError(path, `is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = ARTIFACTS[key].schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArtifactError(path, `does not have the expected shape: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data as Artifact<K>;
}

/** Write the artifact atomically; returns the text written (whose digest later stages depend on). */
export async function writeArtifact<K extends ArtifactKey>(runDir: string, key: K, value: Artifact<K>): Promise<string> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  await writeFileAtomic(artifactPath(runDir, key), text);
  return text;
}

export function digestOf(value: unknown): string {
  return createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** `.evaporate/runs/2026-11-22T09-30-00-123Z`: sortable, and safe in every file system. */
export function defaultRunDir(now = new Date()): string {
  return join('.evaporate', 'runs', now.toISOString().replace(/[:.]/g, '-'));
}
