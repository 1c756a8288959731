import { join } from 'node:path';
import type { AttributeSpec } from '../../core/attributes.ts';
import { RUN_FILES, openRowSink, tableFormatOf, type AttributeSummary, type ResultRow, type RowSink, type TableFormat } from '../../run/index.ts';

/** The run's table (in `format`, else the format of `out`, else CSV) and cells file, copied to `out` when done. */
export function openRunTable(
  runDir: string,
  attributes: readonly AttributeSpec[],
  output: { out?: string | undefined; format?: TableFormat | undefined },
  onRow: ((row: ResultRow) => void | Promise<void>) | undefined,
): Promise<RowSink> {
  const { out } = output;
  const format = output.format ?? (out ? tableFormatOf(out) : 'csv');
  return openRowSink({
    tablePath: join(runDir, `table.${format}`),
    cellsPath: join(runDir, RUN_FILES.cells),
    attributes,
    format,
    ...(onRow ? { onRow } : {}),
    ...(out ? { copyTo: out } : {}),
  });
}

/** Per attribute: rows with a value and the sum of confidences, counted as rows stream past. */
export function createCellTally(attributes: readonly AttributeSpec[]) {
  const counts = new Map(attributes.map((attribute) => [attribute.name, { values: 0, confidence: 0 }]));
  let rows = 0;
  return {
    add(row: ResultRow): void {
      rows++;
      for (const [name, cell] of Object.entries(row.cells)) {
        const entry = counts.get(name);
        if (entry === undefined) continue;
        if (cell.value === null) continue;
        entry.values++;
        entry.confidence += cell.confidence;
      }
    },
    get rows() {
      return rows;
    },
    /** The summary of one attribute; `functions` are its kept functions' origins, `candidates` how many it had. */
    summary(name: string, functions: readonly { origin?: string | undefined }[], candidates: number, note?: string): AttributeSummary {
      const entry = counts.get(name) ?? { values: 0, confidence: 0 };
      const keptByOrigin: Record<string, number> = {};
      for (const fn of functions) keptByOrigin[fn.origin ?? 'user'] = (keptByOrigin[fn.origin ?? 'user'] ?? 0) + 1;
      return {
        name,
        coverage: rows ? entry.values / rows : 0,
        // Over the cells with a value: an empty cell's 0 says nothing about how sure the values are.
        meanConfidence: entry.values ? entry.confidence / entry.values : 0,
        functionsKept: functions.length,
        keptByOrigin,
        candidates,
        ...(note ? { note } : {}),
      };
    },
  };
}
