/**
 * Rows as the library hands them out: values typed from the attribute list (a zod object schema gives its
 * field types, names give `string | string[] | null`), cells keyed by the same names, and a stream of them
 * for any run that reports rows as it goes.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import type { AttributeSpec } from '../core/attributes.ts';
import { userCacheRoot } from '../core/user-cache.ts';
import type { ResultCell, ResultRow } from '../run/index.ts';

/** A zod object schema, from `zod` or `zod/mini` (or the caller's own copy of either). */
export type Shape = z.core.$ZodObject;
export type AttributeList = readonly (string | AttributeSpec)[];
/** What a library call may be told to extract: a zod object schema, or names and specs. */
export type Attributes = Shape | AttributeList;

/** The attribute names a list or schema gives, as literal types when the call spelled them out. */
export type AttributeNames<S> = S extends Shape
  ? keyof z.infer<S> & string
  : S extends readonly (infer E)[]
    ? E extends string
      ? E
      : E extends { name: infer N extends string }
        ? N
        : never
    : string;

/** Values typed by the schema (a field whose value is missing or fails validation is null); one value by name is a string, several an array. */
export type RowValues<S> = S extends Shape ? { [K in keyof z.infer<S>]: z.infer<S>[K] | null } : { [K in AttributeNames<S>]: string | string[] | null };

export interface ExtractedRow<S> {
  doc: string;
  values: RowValues<S>;
  /** Confidence and provenance per attribute. */
  cells: { [K in AttributeNames<S>]: ResultCell };
  /** Why a value was set to null by schema validation, per attribute. */
  invalid: Partial<Record<AttributeNames<S>, string>>;
}

/**
 * A zod object schema, recognised by its shape rather than `instanceof`, so a schema built with the caller's
 * own copy of zod is one too.
 */
export function isZodObject(value: unknown): value is Shape {
  const internals = typeof value === 'object' && value !== null ? (value as { _zod?: { def?: { type?: unknown; shape?: unknown } } })._zod : undefined;
  return internals?.def?.type === 'object' && typeof internals.def.shape === 'object';
}

const fieldsOf = (schema: Shape): Record<string, z.core.$ZodType> => schema._zod.def.shape;

/** Attribute specs from a zod object schema: keys are names, `.describe()` texts are descriptions. */
export function attributesOf(schema: Shape): AttributeSpec[] {
  return Object.entries(fieldsOf(schema)).map(([name, field]) => {
    const description = (field as { description?: string }).description ?? z.globalRegistry.get(field)?.description;
    return description ? { name, description } : { name };
  });
}

/** The pipeline's attribute list for `attributes` given either way. */
export function specsOf(attributes: Attributes | undefined): Array<string | AttributeSpec> | undefined {
  if (attributes === undefined) return undefined;
  return isZodObject(attributes) ? attributesOf(attributes) : [...(attributes as AttributeList)];
}

export function typedRow<S>(row: ResultRow, attributes: Attributes | undefined): ExtractedRow<S> {
  const schema = isZodObject(attributes) ? attributes : undefined;
  const values: Record<string, unknown> = {};
  const invalid: Record<string, string> = {};
  for (const [name, cell] of Object.entries(row.cells)) {
    const field = schema ? fieldsOf(schema)[name] : undefined;
    if (field === undefined) {
      values[name] = cell.value !== null && cell.value.length === 1 ? cell.value[0] : cell.value;
      continue;
    }
    const parsed = parseCell(cell.value, field);
    values[name] = parsed.ok ? parsed.value : null;
    if (!parsed.ok && cell.value !== null) invalid[name] = parsed.reason;
  }
  return { doc: row.doc, values, cells: row.cells, invalid } as unknown as ExtractedRow<S>;
}

/**
 * Read an extracted cell (strings) as the field's type: the joined string first, then the list, then a number
 * when the text is numeric; the first reading the field accepts wins.
 */
function parseCell(value: string[] | null, field: z.core.$ZodType): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (value === null) return z.safeParse(field, null).success ? { ok: true, value: null } : { ok: false, reason: 'no value' };
  const text = value.join('; ');
  const readings: unknown[] = [text, value];
  const numeric = text.replace(/[,\s$€£]/g, '');
  if (numeric !== '' && Number.isFinite(Number(numeric))) readings.push(Number(numeric));
  let first: z.core.$ZodError | undefined;
  for (const reading of readings) {
    const parsed = z.safeParse(field, reading);
    if (parsed.success) return { ok: true, value: parsed.data };
    first ??= parsed.error;
  }
  return { ok: false, reason: `"${text}": ${first?.issues[0]?.message ?? 'invalid'}` };
}

/**
 * Where a library call's run goes when no `runDir` is given: the per-user cache folder, not the caller's
 * working folder (a script run from anywhere should not litter it). The result names the folder.
 */
export const libraryRunDir = (now = new Date()): string => join(userCacheRoot(), 'runs', `${now.toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);

/**
 * Rows of a run as an async generator: `start` runs it, handing each row to `push`; leaving the loop early
 * aborts the run (and its model calls) through the signal instead of letting it finish unseen.
 */
export async function* streamRows<Row, Result>(signal: AbortSignal | undefined, start: (push: (row: Row) => void, signal: AbortSignal) => Promise<Result>): AsyncGenerator<Row, Result> {
  const stop = new AbortController();
  const queue: Row[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown;
  let outcome: Result | undefined;
  const run = start(
    (row) => {
      queue.push(row);
      wake?.();
    },
    signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
  )
    .then(
      (result) => {
        outcome = result;
      },
      (error: unknown) => {
        failure = error;
      },
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  try {
    while (true) {
      if (queue.length > 0) {
        yield queue.shift() as Row;
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
  return outcome as Result;
}
