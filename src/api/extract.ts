import { resolveModelSettings, type ModelSettings, type ModelSettingsOptions, type UsageReport } from '../model/index.ts';
import { runExtraction, type ExtractResult } from '../pipeline/extract.ts';
import type { ExtractOptions } from '../pipeline/options.ts';
import { writeRunReport } from '../report/index.ts';
import type { Program } from '../run/index.ts';
import { libraryRunDir, specsOf, streamRows, typedRow, type Attributes, type ExtractedRow } from './rows.ts';

/** Options of the library's extract: the pipeline's, with attributes as names, specs or a zod object schema. */
export interface LibraryExtractOptions<S extends Attributes | undefined = undefined> extends Omit<ExtractOptions, 'attributes' | 'model' | 'onRow'> {
  /**
   * Attribute names or specs, or a zod object schema whose keys are the attributes (`.describe()` texts become
   * their descriptions) and whose field types validate the extracted values. Omitted: open IE.
   */
  attributes?: S;
  /**
   * Model settings; `undefined` reads the environment (EVAPORATE_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY),
   * `null` runs without a model (built-in synthesizer).
   */
  model?: ModelSettings | ModelSettingsOptions | null;
  /** Write report.html into the run directory at the end (default true). */
  report?: boolean;
  /** Each row as it is made, typed like the returned ones. */
  onRow?: (row: ExtractedRow<S>) => void | Promise<void>;
}

export interface ExtractOutput<S> {
  rows: ExtractedRow<S>[];
  program: Program | null;
  usage: UsageReport | null;
  result: ExtractResult;
}

/**
 * Extract a table from documents (a folder, or `{ id, content, format? }` objects). With a zod schema, rows are
 * typed by it: each value is parsed and validated, and invalid values become null with the reason kept. Without
 * `runDir`, the run goes to a new folder under the user's cache folder (`result.runDir` names it).
 */
export async function extract<const S extends Attributes | undefined = undefined>(options: LibraryExtractOptions<S>): Promise<ExtractOutput<S>> {
  const rows: ExtractedRow<S>[] = [];
  const result = await extractWith(options, (row) => {
    rows.push(row);
  });
  return { rows, program: result.program, usage: result.usage, result };
}

/** The same run, streaming rows as the apply stage produces them; leaving the loop early stops the run. */
export function extractRows<const S extends Attributes | undefined = undefined>(options: LibraryExtractOptions<S>): AsyncGenerator<ExtractedRow<S>, ExtractResult> {
  return streamRows<ExtractedRow<S>, ExtractResult>(options.signal, (push, signal) => extractWith({ ...options, signal }, push));
}

async function extractWith<S extends Attributes | undefined>(options: LibraryExtractOptions<S>, onRow: (row: ExtractedRow<S>) => void): Promise<ExtractResult> {
  const attributes = specsOf(options.attributes);
  const model = options.model === null ? null : resolveModelSettings(options.model ?? {});
  const { attributes: _given, model: _model, report, onRow: callerOnRow, ...rest } = options;
  const result = await runExtraction({
    ...rest,
    runDir: options.runDir ?? libraryRunDir(),
    ...(attributes ? { attributes } : {}),
    model,
    onRow: async (row) => {
      const typed = typedRow<S>(row, options.attributes);
      onRow(typed);
      await callerOnRow?.(typed);
    },
  });
  if (report ?? true) await writeRunReport(result.runDir, (message) => options.onEvent?.({ type: 'notice', message }));
  return result;
}
