/**
 * Reads a run directory's artifacts for the report, through the run module's schemas. Every file is
 * optional: a report of a run that stopped early (or of an `apply` run, which writes only the table) shows
 * what there is and says what is missing. A file that does not fit its schema is reported as a note, never a crash.
 */
import { ArtifactError, readArtifact, resultRowSchema, type Artifact, type ArtifactKey, type ResultRow } from '../run/index.ts';

const REPORTED = ['run', 'documents', 'sample', 'schema', 'candidates', 'scores', 'program', 'usage', 'summary', 'evaluation'] as const satisfies readonly ArtifactKey[];

export type RunArtifacts = { [K in (typeof REPORTED)[number]]?: Artifact<K> } & {
  /** Problems met while reading, for the page. */
  notes: string[];
};

/** Read every JSON artifact the run directory holds (all but the cells, which are streamed). */
export async function readRunArtifacts(runDir: string): Promise<RunArtifacts> {
  const result: RunArtifacts = { notes: [] };
  for (const key of REPORTED) {
    try {
      const value = await readArtifact(runDir, key);
      if (value !== undefined) (result as Record<string, unknown>)[key] = value;
    } catch (error) {
      if (!(error instanceof ArtifactError)) throw error;
      result.notes.push(`${error.file.split(/[\\/]/).pop()} ${error.problem}; the report leaves it out.`);
    }
  }
  return result;
}

/** One line of cells.jsonl, or why it is unusable. */
export function parseCellsLine(line: string): ResultRow | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? 'invalid JSON' };
  }
  const parsed = resultRowSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || '(root)'}: ${issue?.message}` };
}

