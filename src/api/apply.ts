import { runProgram, type ApplyRunOptions, type ApplyRunResult } from '../pipeline/run-program.ts';
import { writeRunReport } from '../report/index.ts';

export interface LibraryApplyOptions extends ApplyRunOptions {
  /** Write report.html into the run directory (default true). */
  report?: boolean;
}

/** Apply a saved program to documents (no model), then write the run's review page. */
export async function apply(options: LibraryApplyOptions): Promise<ApplyRunResult> {
  const { report, ...rest } = options;
  const result = await runProgram(rest);
  if (report ?? true) await writeRunReport(result.runDir, (message) => options.onEvent?.({ type: 'notice', message }));
  return result;
}
