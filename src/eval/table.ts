/**
 * Reads a predicted table in any of the project's output formats (DESIGN.md "Result table"):
 * CSV with `; `-joined multi-values, JSONL with one row object per line, or JSON (an array of row
 * objects, or an Evaporate-style `{ "<doc>": { attribute: value } }` object), or Parquet. The document column
 * is `doc`; every other column is an attribute (companion columns are simply not asked for).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { unescapeCsvField } from '../text/csv-field.ts';
import { parseCsv } from './csv.ts';
import { jsonCellValues, normalizeDocId } from './gold.ts';

/** Per document, per column: the values, or null for an empty cell. Every row has every column. */
export type PredictedTable = Map<string, Record<string, string[] | null>>;

const DOC_COLUMN = 'doc';
const CSV_MULTI_SEPARATOR = '; ';

function addRow(table: PredictedTable, doc: string, row: Record<string, string[] | null>, where: string): void {
  const id = normalizeDocId(doc.trim());
  if (!id) throw new Error(`${where}: the '${DOC_COLUMN}' value is empty`);
  if (table.has(id)) throw new Error(`${where}: document '${id}' appears in more than one row`);
  table.set(id, row);
}

function jsonCell(cell: unknown): string[] | null {
  const values = jsonCellValues(cell);
  return values.length > 0 ? values : null;
}

function jsonRow(object: unknown, where: string): [string, Record<string, string[] | null>] {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw new Error(`${where}: expected a row object with a '${DOC_COLUMN}' field`);
  }
  const { [DOC_COLUMN]: doc, ...cells } = object as Record<string, unknown>;
  if (typeof doc !== 'string') throw new Error(`${where}: the row has no string '${DOC_COLUMN}' field`);
  return [doc, Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, jsonCell(v)]))];
}

function fromCsv(text: string, file: string): PredictedTable {
  const [header, ...records] = parseCsv(text, file);
  if (!header) throw new Error(`${file}: the CSV file is empty; expected a header row with a '${DOC_COLUMN}' column`);
  const docIndex = header.indexOf(DOC_COLUMN);
  if (docIndex === -1) throw new Error(`${file}: the CSV header has no '${DOC_COLUMN}' column (found: ${header.join(', ')})`);
  const table: PredictedTable = new Map();
  records.forEach((fields, i) => {
    const where = `${file}: row ${i + 2}`;
    if (fields.length === 1 && fields[0] === '') return;
    if (fields.length !== header.length) {
      throw new Error(`${where}: ${fields.length} fields, but the header has ${header.length}`);
    }
    const row: Record<string, string[] | null> = {};
    header.forEach((column, c) => {
      if (c === docIndex) return;
      const values = unescapeCsvField(fields[c]!).split(CSV_MULTI_SEPARATOR).map((v) => v.trim()).filter(Boolean);
      row[column] = values.length > 0 ? values : null;
    });
    addRow(table, unescapeCsvField(fields[docIndex]!), row, where);
  });
  return table;
}

function fromJsonl(text: string, file: string): PredictedTable {
  const table: PredictedTable = new Map();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const [doc, row] = jsonRow(parsed, where);
    addRow(table, doc, row, where);
  });
  return table;
}

function fromJson(text: string, file: string): PredictedTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const table: PredictedTable = new Map();
  if (Array.isArray(parsed)) {
    parsed.forEach((object, i) => {
      const where = `${file}: row ${i + 1}`;
      const [doc, row] = jsonRow(object, where);
      addRow(table, doc, row, where);
    });
  } else if (parsed !== null && typeof parsed === 'object') {
    for (const [doc, cells] of Object.entries(parsed)) {
      if (cells === null || typeof cells !== 'object' || Array.isArray(cells)) {
        throw new Error(`${file}: '${doc}' maps to ${JSON.stringify(cells)}; expected an { attribute: value } object`);
      }
      const row = Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, jsonCell(v)]));
      addRow(table, doc, row, `${file}: '${doc}'`);
    }
  } else {
    throw new Error(`${file}: expected an array of rows or an object mapping documents to rows`);
  }
  return table;
}

/**
 * Parquet rows as evaporate writes them: a typed column's `<name>_raw` string column stands in for it, since
 * gold is compared as text.
 */
async function fromParquet(bytes: Buffer, file: string): Promise<PredictedTable> {
  let rows: Record<string, unknown>[];
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows = await parquetReadObjects({ file: buffer });
  } catch (error) {
    throw new Error(`${file}: not a readable Parquet file (${error instanceof Error ? error.message : String(error)})`);
  }
  const table: PredictedTable = new Map();
  rows.forEach((object, i) => {
    const row: Record<string, unknown> = { ...object };
    for (const key of Object.keys(row)) {
      const base = key.slice(0, -'_raw'.length);
      if (key.endsWith('_raw') && base in row) {
        row[base] = row[key];
        delete row[key];
      }
    }
    const [doc, cells] = jsonRow(row, `${file}: row ${i + 1}`);
    addRow(table, doc, cells, `${file}: row ${i + 1}`);
  });
  return table;
}

/** Reads a predicted table, choosing the format by extension (.csv, .jsonl/.ndjson, .json, .parquet). */
export async function readPredictedTable(file: string): Promise<PredictedTable> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet') {
    const bytes = await readFile(file).catch((error: unknown) => {
      throw new Error(`${file}: cannot read the predicted table (${error instanceof Error ? error.message : String(error)})`);
    });
    return withAllColumns(await fromParquet(bytes, file));
  }
  const readers: Record<string, (text: string, file: string) => PredictedTable> = {
    '.csv': fromCsv,
    '.jsonl': fromJsonl,
    '.ndjson': fromJsonl,
    '.json': fromJson,
  };
  const reader = readers[ext];
  if (!reader) throw new Error(`${file}: unknown table format '${ext}'; use .csv, .jsonl, .json or .parquet`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read the predicted table (${error instanceof Error ? error.message : String(error)})`);
  }
  return withAllColumns(reader(text, file));
}

/** JSON rows may omit keys; filling them with null makes every format read the same way. */
function withAllColumns(table: PredictedTable): PredictedTable {
  const columns = new Set([...table.values()].flatMap((row) => Object.keys(row)));
  for (const row of table.values()) for (const c of columns) row[c] ??= null;
  return table;
}
