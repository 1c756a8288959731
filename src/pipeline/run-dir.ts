import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../model/atomic-file.ts';

/** The files a run writes, by stage (DESIGN.md: every artifact is a file in the run directory). */
export const ARTIFACTS = {
  run: 'run.json',
  documents: 'documents.json',
  sample: 'sample.json',
  schema: 'schema.json',
  pseudoLabels: 'pseudo-labels.json',
  candidates: 'candidates.json',
  sampleVotes: 'sample-votes.json',
  scores: 'scores.json',
  program: 'program.json',
  cells: 'cells.jsonl',
  usage: 'usage.json',
  summary: 'summary.json',
  /** Written by bench: the table scored against gold. */
  evaluation: 'evaluation.json',
  report: 'report.html',
  cache: 'cache',
} as const;

/** A stage's saved output, or undefined when the stage has not finished in this run directory. */
export async function readArtifact<T>(runDir: string, file: string): Promise<T | undefined> {
  const path = join(runDir, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined; // written atomically, so this is a hand edit gone wrong: recompute
  }
}

export function writeArtifact(runDir: string, file: string, value: unknown): Promise<void> {
  return writeFileAtomic(join(runDir, file), `${JSON.stringify(value, null, 2)}\n`);
}

/** `.evaporate/runs/2026-11-22T09-30-00-123Z`: sortable, and safe in every file system. */
export function defaultRunDir(now = new Date()): string {
  return join('.evaporate', 'runs', now.toISOString().replace(/[:.]/g, '-'));
}
