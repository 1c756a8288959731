import { z } from 'zod';
import type { AttributeSpec } from '../core/attributes.ts';
import { resolveModelSettings, type ModelSettings, type ModelSettingsOptions, type UsageReport } from '../model/index.ts';
import { runExtraction, type ExtractResult } from '../pipeline/extract.ts';
import type { ExtractOptions } from '../pipeline/options.ts';
import { writeRunReport } from '../report/index.ts';
import type { Program, ResultCell, ResultRow } from '../run/index.ts';

type Shape = z.ZodObject;

/** Options of the library's extract: the pipeline's, with attributes as names, specs or a zod object schema. */
export interface LibraryExtractOptions<S extends Shape | undefined = undefined> extends Omit<ExtractOptions, 'attributes' | 'model' | 'onRow'> {
  /**
   * Attribute names or specs, or a zod object schema whose keys are the attributes (`.describe()` texts become
   * their descriptions) and whose field types validate the extracted values.
   */
  attributes?: S | Array<string | AttributeSpec>;
  /**
   * Model settings; `undefined` reads the environment (EVAPORATE_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY),
   * `null` runs without a model (built-in synthesizer).
   */
  model?: ModelSettings | ModelSettingsOptions | null;
  /** Write report.html into the run directory at the end (default true). */
  report?: boolean;
}

/** Values typed by the schema; a field whose value is missing or fails validation is null. */
export type RowValues<S> = S extends Shape ? { [K in keyof z.infer<S>]: z.infer<S>[K] | null } : Record<string, string[] | null>;

export interface ExtractedRow<S> {
  doc: string;
  values: RowValues<S>;
  /** Confidence and provenance per attribute. */
  cells: Record<string, ResultCell>;
  /** Why a value was set to null by schema validation, per attribute. */
  invalid: Record<string, string>;
}

export interface ExtractOutput<S> {
  rows: ExtractedRow<S>[];
  program: Program | null;
  usage: UsageReport | null;
  result: ExtractResult;
}

/**
 * Extract a table from documents (a folder, or `{ id, content, format? }` objects). With a zod schema, rows are
 * typed by it: each value is parsed and validated, and invalid values become null with the reason kept.
 */
export async function extract<S extends Shape | undefined = undefined>(options: LibraryExtractOptions<S>): Promise<ExtractOutput<S>> {
  const rows: ExtractedRow<S>[] = [];
  const { result } = await extractWith(options, (row) => {
    rows.push(row);
  });
  return { rows, program: result.program, usage: result.usage, result };
}

/** The same run, streaming rows as the apply stage produces them. */
export async function* extractRows<S extends Shape | undefined = undefined>(options: LibraryExtractOptions<S>): AsyncGenerator<ExtractedRow<S>, ExtractResult> {
  // Leaving the loop early stops the run (and its model calls) instead of letting it finish unseen.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const queue: ExtractedRow<S>[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown;
  let outcome: ExtractResult | undefined;
  const run = extractWith({ ...options, signal }, (row) => {
    queue.push(row);
    wake?.();
  }).then(
    ({ result }) => {
      outcome = result;
    },
    (error: unknown) => {
      failure = error;
    },
  ).finally(() => {
    finished = true;
    wake?.();
  });
  try {
    while (true) {
      if (queue.length > 0) {
        yield queue.shift() as ExtractedRow<S>;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    if (!finished) {
      stop.abort();
      await run;
    }
  }
  await run;
  if (failure !== undefined) throw failure;
  return outcome as ExtractResult;
}

async function extractWith<S extends Shape | undefined>(
  options: LibraryExtractOptions<S>,
  onRow: (row: ExtractedRow<S>) => void,
): Promise<{ result: ExtractResult }> {
  const schema = options.attributes instanceof z.ZodObject ? (options.attributes as Shape) : undefined;
  const attributes = schema ? attributesOf(schema) : (options.attributes as Array<string | AttributeSpec> | undefined);
  const model = options.model === null ? null : resolveModelSettings(options.model ?? {});
  const { attributes: _given, model: _model, report, ...rest } = options;
  const result = await runExtraction({
    ...rest,
    ...(attributes ? { attributes } : {}),
    model,
    onRow: (row) => onRow(typedRow(row, schema) as unknown as ExtractedRow<S>),
  });
  if (report ?? true) await writeRunReport(result.runDir, (message) => options.onEvent?.({ type: 'notice', message }));
  return { result };
}

/** Attribute specs from a zod object schema: keys are names, `.describe()` texts are descriptions. */
export function attributesOf(schema: Shape): AttributeSpec[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const description = (field as z.ZodType).description;
    return description ? { name, description } : { name };
  });
}

function typedRow(row: ResultRow, schema: Shape | undefined): ExtractedRow<Shape> {
  const values: Record<string, unknown> = {};
  const invalid: Record<string, string> = {};
  for (const [name, cell] of Object.entries(row.cells)) {
    const field = schema?.shape[name] as z.ZodType | undefined;
    if (field === undefined) {
      values[name] = cell.value;
      continue;
    }
    const parsed = parseCell(cell.value, field);
    values[name] = parsed.ok ? parsed.value : null;
    if (!parsed.ok && cell.value !== null) invalid[name] = parsed.reason;
  }
  return { doc: row.doc, values: values as RowValues<Shape>, cells: row.cells, invalid };
}

/**
 * Read an extracted cell (strings) as the field's type: the joined string first, then the list, then a number
 * when the text is numeric; the first reading the field accepts wins.
 */
function parseCell(value: string[] | null, field: z.ZodType): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === null) return field.safeParse(null).success ? { ok: true, value: null } : { ok: false, reason: 'no value' };
  const text = value.join('; ');
  const readings: unknown[] = [text, value];
  const numeric = text.replace(/[,\s$€£]/g, '');
  if (numeric !== '' && Number.isFinite(Number(numeric))) readings.push(Number(numeric));
  let first: z.ZodError | undefined;
  for (const reading of readings) {
    const parsed = field.safeParse(reading);
    if (parsed.success) return { ok: true, value: parsed.data };
    first ??= parsed.error;
  }
  return { ok: false, reason: `"${text}": ${first?.issues[0]?.message ?? 'invalid'}` };
}
