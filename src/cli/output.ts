/**
 * Where the table goes: `--out <file>` (format from its extension unless `--format` says), or `--out -` for
 * standard output (CSV unless `--format` says), which then carries nothing but the table: the summary moves to
 * standard error.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { TABLE_FORMATS, type TableFormat } from '../run/index.ts';
import { UsageError } from './errors.ts';
import { choiceOption, stringOption, type ParsedValues } from './options.ts';

export interface TableOutput {
  /** The file the library writes the table to; absent for standard output. */
  out?: string;
  format?: TableFormat;
  toStdout: boolean;
  /** Where the command's own summary goes. */
  summary: NodeJS.WriteStream;
}

export function tableOutput(values: ParsedValues): TableOutput {
  const out = stringOption(values, 'out');
  const format = choiceOption(values, 'format', TABLE_FORMATS);
  if (out !== '-') return { ...(out !== undefined ? { out } : {}), ...(format ? { format } : {}), toStdout: false, summary: process.stdout };
  if (values.json) throw new UsageError('--out - and --json both write to standard output; choose one');
  return { format: format ?? 'csv', toStdout: true, summary: process.stderr };
}

/** With `--out -`, copy the finished table to standard output. */
export async function sendTable(output: TableOutput, tablePath: string): Promise<void> {
  if (output.toStdout) await pipeline(createReadStream(tablePath), process.stdout, { end: false });
}
