import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { once } from 'node:events';
import { z } from 'zod';
import { candidateSchema } from '../aggregate/index.ts';
import { toAttributeSpec, type AttributeSpec } from '../core/attributes.ts';
import { cellValueSchema } from '../core/cells.ts';
import { EvaporateError } from '../core/errors.ts';
import { csvField } from '../text/csv-field.ts';
import { typedValue, valueKind } from '../text/typed-values.ts';
import { createParquetTableWriter } from './parquet-table.ts';

/** One candidate value for a cell, with the label model's probability and the functions that voted for it. */
export type CellCandidate = z.infer<typeof candidateSchema>;

/** A table cell with its provenance: which functions produced the value and where it occurs in the view. */
export const resultCellSchema = z.object({
  value: cellValueSchema,
  confidence: z.number(),
  voters: z.array(z.string()),
  /** Character offsets [start, end) of each value's first occurrence in the document's view, when it occurs. */
  spans: z.array(z.tuple([z.number(), z.number()])),
  /** For a PDF: the page (1-based) of the first value's first occurrence. */
  page: z.number().int().positive().optional(),
  /** For a PDF: that occurrence's box on the page, [x0, y0, x1, y1] in points from the page's bottom left. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  /**
   * Each value read as its attribute's form asks (an ISO date for a date form, a number for a number form), null
   * where it does not read so; absent for other forms.
   */
  typed: z.array(z.union([z.string(), z.number(), z.null()])).optional(),
  candidates: z.array(candidateSchema),
  /** Why the cell is empty when no function could fill it (its attribute kept none). */
  note: z.string().optional(),
});
export type ResultCell = z.infer<typeof resultCellSchema>;

/** One line of cells.jsonl: a document's cells with their provenance. */
export const resultRowSchema = z.object({
  /** The document id: its path relative to the corpus folder. */
  doc: z.string(),
  cells: z.record(z.string(), resultCellSchema),
});
export type ResultRow = z.infer<typeof resultRowSchema>;

export const TABLE_FORMATS = ['csv', 'jsonl', 'json', 'parquet'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** An output path whose extension names no table format. */
export class TableFormatError extends EvaporateError {
  override name = 'TableFormatError';
  constructor(message: string) {
    super('table-format', message, { settings: ['out'] });
  }
}

export function tableFormatOf(path: string): TableFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.json') return 'json';
  if (extension === '.parquet') return 'parquet';
  throw new TableFormatError(`Unknown table format for ${path}: use a .csv, .jsonl, .json or .parquet file name`);
}

export interface TableWriter {
  write(row: ResultRow): Promise<void>;
  /** Finish the file and move it into place; until then the path holds the previous file, if any. */
  close(): Promise<void>;
  /** Drop the partial file. */
  abort(): Promise<void>;
}

/**
 * Stream rows into a plain table: a `doc` column and one column per attribute. Multi-valued cells are arrays
 * in JSON/JSONL and `; `-joined in CSV; Parquet columns are typed (see parquet-table.ts). Confidence and
 * provenance go to a separate cells file.
 */
export async function createTableWriter(path: string, columns: readonly (string | AttributeSpec)[], format = tableFormatOf(path)): Promise<TableWriter> {
  if (format === 'parquet') return createParquetTableWriter(path, columns.map(toAttributeSpec));
  const attributes = columns.map((column) => toAttributeSpec(column).name);
  // One value as itself, several as an array: a JSON reader should not have to unwrap every single value.
  const plain = (row: ResultRow): Record<string, string | string[] | null> => {
    const record: Record<string, string | string[] | null> = { doc: row.doc };
    for (const name of attributes) {
      const value = row.cells[name]?.value ?? null;
      record[name] = value !== null && value.length === 1 ? (value[0] as string) : value;
    }
    return record;
  };
  const header = format === 'csv' ? `${['doc', ...attributes].map(csvField).join(',')}\n` : format === 'json' ? '[' : '';
  let rows = 0;
  return lineWriter(path, header, format === 'json' ? '\n]\n' : '', (row) => {
    rows++;
    if (format === 'csv') return `${[row.doc, ...attributes.map((name) => (row.cells[name]?.value ?? []).join('; '))].map(csvField).join(',')}\n`;
    if (format === 'jsonl') return `${JSON.stringify(plain(row))}\n`;
    return `${rows === 1 ? '\n' : ',\n'}${JSON.stringify(plain(row))}`;
  });
}

/** Confidence and provenance per cell, one JSON line per document. */
export function createCellsWriter(path: string): Promise<TableWriter> {
  return lineWriter(path, '', '', (row) => `${JSON.stringify(row)}\n`);
}

async function lineWriter(path: string, header: string, footer: string, render: (row: ResultRow) => string): Promise<TableWriter> {
  await mkdir(dirname(path), { recursive: true });
  // Random as well as the pid: queue workers on two hosts may share a pid and a results folder.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  const stream: WriteStream = createWriteStream(temp);
  // Without a listener, an error from a write still in flight when abort() destroys the stream (Ctrl-C) is
  // unhandled and kills the process; kept here, it fails the next write instead.
  let failure: Error | undefined;
  let aborted = false;
  stream.on('error', (error) => {
    failure ??= error;
  });
  await once(stream, 'open');
  const put = async (text: string) => {
    if (aborted) return;
    if (failure) throw failure;
    if (!stream.write(text)) {
      // Whichever comes first; the other listener goes with it, or every slow write would leave one behind.
      await new Promise<void>((done) => {
        const settle = () => {
          stream.off('drain', settle).off('close', settle);
          done();
        };
        stream.on('drain', settle).on('close', settle);
      });
    }
    if (failure && !aborted) throw failure;
  };
  await put(header);
  return {
    write: (row) => put(render(row)),
    close: async () => {
      await put(footer);
      stream.end();
      await once(stream, 'finish');
      await rename(temp, path);
    },
    abort: async () => {
      aborted = true;
      if (!stream.destroyed) {
        const closed = new Promise((done) => stream.once('close', done));
        stream.destroy();
        await closed;
      }
      await rm(temp, { force: true });
    },
  };
}

/** Where result rows go: the plain table, the cells file with provenance, and the caller's row callback. */
export interface RowSink {
  tablePath: string;
  cellsPath: string;
  write(row: ResultRow): Promise<void>;
  /** Finish both files (and copy the table to `copyTo`). */
  close(): Promise<void>;
  /** Drop both partial files. */
  abort(): Promise<void>;
}

export async function openRowSink(options: {
  tablePath: string;
  cellsPath: string;
  attributes: readonly AttributeSpec[];
  /** The table's format when the path's extension does not name one. */
  format?: TableFormat;
  onRow?: (row: ResultRow) => void | Promise<void>;
  copyTo?: string;
}): Promise<RowSink> {
  const table = await createTableWriter(options.tablePath, options.attributes, options.format);
  const cells = await createCellsWriter(options.cellsPath);
  const typed = withTypedValues(options.attributes);
  return {
    tablePath: options.tablePath,
    cellsPath: options.cellsPath,
    write: async (given) => {
      const row = typed(given);
      await table.write(row);
      await cells.write(row);
      await options.onRow?.(row);
    },
    close: async () => {
      await table.close();
      await cells.close();
      if (options.copyTo) {
        await mkdir(resolve(options.copyTo, '..'), { recursive: true });
        await copyFile(options.tablePath, options.copyTo);
      }
    },
    abort: async () => {
      await table.abort();
      await cells.abort();
    },
  };
}

/** Adds `typed` to the cells of attributes whose form is a date or number form. */
function withTypedValues(attributes: readonly AttributeSpec[]): (row: ResultRow) => ResultRow {
  const kinds = attributes.flatMap((attribute) => {
    const kind = valueKind(attribute.form);
    return kind === null ? [] : [{ name: attribute.name, kind, form: attribute.form }];
  });
  if (kinds.length === 0) return (row) => row;
  return (row) => {
    const cells = { ...row.cells };
    for (const { name, kind, form } of kinds) {
      const cell = cells[name];
      if (cell?.value) cells[name] = { ...cell, typed: cell.value.map((raw) => typedValue(raw, kind, form)) };
    }
    return { ...row, cells };
  };
}

/** Run `work` writing into `sink`; on failure the partial files are removed, so a table on disk is always whole. */
export async function filling<T>(sink: RowSink, work: () => Promise<T>): Promise<T> {
  try {
    const value = await work();
    await sink.close();
    return value;
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
