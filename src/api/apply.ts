import { runProgram, type ApplyRunOptions, type ApplyRunResult } from '../pipeline/run-program.ts';
import { writeRunReport } from '../report/index.ts';
import { libraryRunDir, streamRows, typedRow, type Attributes, type ExtractedRow } from './rows.ts';

export interface LibraryApplyOptions<S extends Attributes | undefined = undefined> extends Omit<ApplyRunOptions, 'onRow'> {
  /**
   * The program's attributes as names or a zod object schema, to type the rows as `extract` does (values parsed
   * and validated by the schema). Only types the rows: the program decides what is extracted.
   */
  attributes?: S;
  /** Each row as it is made, typed like `extract`'s. */
  onRow?: (row: ExtractedRow<S>) => void | Promise<void>;
  /** Write report.html into the run directory (default true). */
  report?: boolean;
}

/**
 * Apply a saved program to documents (no model), then write the run's review page. Without `runDir`, the run
 * goes to a new folder under the user's cache folder (`runDir` of the result names it).
 */
export async function apply<const S extends Attributes | undefined = undefined>(options: LibraryApplyOptions<S>): Promise<ApplyRunResult> {
  const { report, attributes, onRow, ...rest } = options;
  const result = await runProgram({
    ...rest,
    runDir: options.runDir ?? libraryRunDir(),
    ...(onRow ? { onRow: (row) => onRow(typedRow<S>(row, attributes)) } : {}),
  });
  if (report ?? true) await writeRunReport(result.runDir, (message) => options.onEvent?.({ type: 'notice', message }));
  return result;
}

/** The same run, streaming typed rows; leaving the loop early stops it. */
export function applyRows<const S extends Attributes | undefined = undefined>(options: Omit<LibraryApplyOptions<S>, 'onRow'>): AsyncGenerator<ExtractedRow<S>, ApplyRunResult> {
  return streamRows<ExtractedRow<S>, ApplyRunResult>(options.signal, (push, signal) => apply({ ...options, signal, onRow: push }));
}
