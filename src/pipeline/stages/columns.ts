/**
 * Open IE, after apply: two discovered columns that hold the same values across the corpus (`writer` and
 * `screenplay` on different sites) are one column. The sample cannot always tell (the two labels may never share
 * a sample document); the whole table can. The later column is dropped from the table, the cells file and the
 * program, and the earlier one says what it absorbed.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { voteKey } from '../../aggregate/index.ts';
import { filling, resultRowSchema, type Program, type ResultRow, type RowSink } from '../../run/index.ts';

/** Rows where both columns have a value, and of those how many agree. */
export interface ColumnAgreement {
  both: number;
  same: number;
}

/** Share of the rows where both have a value at which two columns are one, and the fewest such rows that can show it. */
const SAME_COLUMN = 0.6;
const MIN_ROWS = 3;

/** Counts, as rows stream past, how often each pair of columns holds the same value. */
export function createColumnComparison(columns: readonly string[]) {
  const pairs = new Map<string, ColumnAgreement>();
  return {
    add(row: ResultRow): void {
      const keys = columns.map((name) => {
        const value = row.cells[name]?.value;
        return value ? voteKey(value) : '';
      });
      for (let i = 0; i < columns.length; i++) {
        if (keys[i] === '') continue;
        for (let j = i + 1; j < columns.length; j++) {
          if (keys[j] === '') continue;
          const pair = `${i} ${j}`;
          const entry = pairs.get(pair) ?? { both: 0, same: 0 };
          entry.both++;
          if (keys[i] === keys[j]) entry.same++;
          pairs.set(pair, entry);
        }
      }
    },
    /** Later column -> the earlier one it repeats. */
    repeats(): Map<string, string> {
      const merged = new Map<string, string>();
      for (const [pair, { both, same }] of pairs) {
        const [i, j] = pair.split(' ').map(Number) as [number, number];
        const later = columns[j] as string;
        if (both >= MIN_ROWS && same / both >= SAME_COLUMN && !merged.has(later) && !merged.has(columns[i] as string)) merged.set(later, columns[i] as string);
      }
      return merged;
    },
  };
}

/** The program without the merged columns; each kept one lists what it absorbed. */
export function withoutColumns(program: Program, merged: ReadonlyMap<string, string>): Program {
  return {
    ...program,
    attributes: program.attributes
      .filter((attribute) => !merged.has(attribute.name))
      .map((attribute) => {
        const absorbed = [...merged].filter(([, into]) => into === attribute.name).map(([name]) => name);
        return absorbed.length ? { ...attribute, note: `${attribute.note ? `${attribute.note}; ` : ''}merged with ${absorbed.join(', ')}, which held the same values` } : attribute;
      }),
  };
}

/** Rewrite the table and cells file from the cells file, without the merged columns. */
export async function rewriteWithout(cellsPath: string, merged: ReadonlyMap<string, string>, sink: RowSink): Promise<void> {
  const lines = createInterface({ input: createReadStream(cellsPath, 'utf8'), crlfDelay: Infinity });
  await filling(sink, async () => {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const row = resultRowSchema.parse(JSON.parse(line));
      for (const name of merged.keys()) delete row.cells[name];
      await sink.write(row);
    }
  });
}
