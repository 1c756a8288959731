/**
 * The table as Parquet, for data engineers' tools (DuckDB, Spark, pandas, Polars). Columns are typed from the
 * schema: a date form gives a DATE column, a number form a DOUBLE, anything else UTF-8 strings; a
 * multi-valued attribute is a LIST of them. A typed column loses what does not read as its type, so each one
 * has a `<name>_raw` string column beside it. Rows are buffered into row groups of ROW_GROUP rows and
 * written as each group fills, into a temp file renamed into place on close.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { AttributeSpec } from '../core/attributes.ts';
import { typedValue, valueKind, type ValueKind } from '../text/typed-values.ts';
import type { ResultRow, TableWriter } from './table.ts';

const ROW_GROUP = 10_000;

interface Column {
  name: string;
  /** The cell's values as this column holds them. */
  read(row: ResultRow): unknown;
  schema: SchemaElement[];
}

const utf8 = (name: string, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: repetition });
const typedElement = (name: string, kind: ValueKind | null, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement =>
  kind === 'date' ? { name, type: 'INT32', converted_type: 'DATE', repetition_type: repetition } : kind === 'number' ? { name, type: 'DOUBLE', repetition_type: repetition } : utf8(name, repetition);
const listOf = (name: string, element: SchemaElement): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { ...element, name: 'element' },
];

function columnsOf(attributes: readonly AttributeSpec[]): Column[] {
  const names = new Set(attributes.map((attribute) => attribute.name));
  const columns: Column[] = [{ name: 'doc', read: (row) => row.doc, schema: [utf8('doc', 'REQUIRED')] }];
  for (const attribute of attributes) {
    const kind = valueKind(attribute.form);
    const values = (row: ResultRow): string[] | null => row.cells[attribute.name]?.value ?? null;
    const typed = (raw: string): unknown => {
      const value = kind === null ? raw : typedValue(raw, kind, attribute.form);
      return kind === 'date' && typeof value === 'string' ? new Date(`${value}T00:00:00Z`) : value;
    };
    const name = attribute.name;
    if (attribute.multiple) {
      columns.push({ name, read: (row) => values(row)?.map(typed).filter((value) => value !== null) ?? null, schema: listOf(name, typedElement(name, kind, 'REQUIRED')) });
      if (kind !== null && !names.has(`${name}_raw`)) columns.push({ name: `${name}_raw`, read: values, schema: listOf(`${name}_raw`, utf8(name, 'REQUIRED')) });
    } else {
      // A single-valued attribute that still got several values is written as CSV writes it.
      const joined = (row: ResultRow): string | null => values(row)?.join('; ') ?? null;
      columns.push({ name, read: (row) => (kind === null ? joined(row) : (values(row)?.length === 1 ? typed(values(row)?.[0] as string) : null)), schema: [typedElement(name, kind, 'OPTIONAL')] });
      if (kind !== null && !names.has(`${name}_raw`)) columns.push({ name: `${name}_raw`, read: joined, schema: [utf8(`${name}_raw`, 'OPTIONAL')] });
    }
  }
  return columns;
}

export async function createParquetTableWriter(path: string, attributes: readonly AttributeSpec[]): Promise<TableWriter> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  const columns = columnsOf(attributes);
  const parquet = new ParquetWriter({
    writer: fileWriter(temp),
    schema: [{ name: 'root', num_children: columns.length }, ...columns.flatMap((column) => column.schema)],
    createdBy: 'evaporate-ts',
  });
  let pending: ResultRow[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await parquet.write({ columnData: columns.map((column) => ({ name: column.name, data: rows.map((row) => column.read(row)) as never })), rowGroupSize: ROW_GROUP });
  };
  let aborted = false;
  return {
    write: async (row) => {
      if (aborted) return;
      pending.push(row);
      if (pending.length >= ROW_GROUP) await flush();
    },
    close: async () => {
      await flush();
      await parquet.finish();
      await rename(temp, path);
    },
    abort: async () => {
      aborted = true;
      await rm(temp, { force: true });
    },
  };
}
