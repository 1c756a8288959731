import { updateRun, type UpdateOptions, type UpdateResult } from '../pipeline/update.ts';
import { writeRunReport } from '../report/index.ts';

/** Bring a finished extract run up to date with its grown or changed folder (no model), then rewrite its review page. */
export async function update(options: UpdateOptions & { report?: boolean }): Promise<UpdateResult> {
  const { report, ...rest } = options;
  const result = await updateRun(rest);
  if (report ?? true) await writeRunReport(result.runDir, (message) => options.onEvent?.({ type: 'notice', message }));
  return result;
}
