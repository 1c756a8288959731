import { apply } from '../api/apply.ts';
import type { AttributeDrift } from '../pipeline/drift.ts';
import type { FailedShard } from '../pipeline/queue/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { convertersOption, defined, intOption, listOption, parseOrHelp, progressMode, queueOption, stringOption, type CommandSpec } from './options.ts';
import { untilInterrupted } from './interrupt.ts';
import { sendTable, tableOutput } from './output.ts';
import { paintSummary } from './style.ts';
import { createReporter } from './progress.ts';
import { unsampledWarning } from './summary.ts';

export const applyCommand: CommandSpec = {
  name: 'apply',
  usage: 'evaporate apply <program.json> <folder> [--out table.csv] [options]',
  summary: 'Run the extractor functions of a saved program over a folder and write the table. Needs no model.',
  options: ['out', 'format', 'run-dir', 'include', 'exclude', 'max-bytes', 'follow-links', 'convert', 'timeout-ms', 'isolates', 'queue', 'queue-name', 'shard-size', 'report', 'quiet', 'json'],
  examples: [
    'evaporate apply .evaporate/runs/<run>/program.json ./new-pages --out new.csv',
    'evaporate apply program.json ./receipts --out receipts.jsonl --timeout-ms 50',
    'evaporate apply program.json /shared/pages --queue redis://queue-host:6379 --run-dir /shared/runs/pages',
  ],
};

export async function runApply(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(applyCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  const [programPath, folder] = positionals;
  if (programPath === undefined || folder === undefined) throw new UsageError('usage: evaporate apply <program.json> <folder> [--out table.csv] (see --help)');
  const output = tableOutput(values);
  const reporter = createReporter(progressMode(values));
  const started = performance.now();
  const result = await untilInterrupted(reporter, 'Stopped; no table was written.', (signal) => apply({
    program: programPath,
    documents: folder,
    signal,
    onEvent: (event) => reporter.event(event),
    ...defined({
      out: output.out,
      format: output.format,
      runDir: stringOption(values, 'run-dir'),
      include: listOption(values, 'include'),
      exclude: listOption(values, 'exclude'),
      maxBytes: intOption(values, 'max-bytes', 1),
      followLinks: values['follow-links'] as boolean | undefined,
      converters: convertersOption(values),
      timeoutMs: intOption(values, 'timeout-ms', 1),
      isolates: intOption(values, 'isolates', 1),
      queue: queueOption(values),
      report: values.report as boolean | undefined,
    }),
  }));
  reporter.stop();
  const seconds = (performance.now() - started) / 1000;
  await sendTable(output, result.tablePath);
  if (values.json) process.stdout.write(`${JSON.stringify({ type: 'result', rows: result.rows, table: result.tablePath, cells: result.cellsPath, counters: result.counters, rejected: result.rejected, skipped: result.skipped, drift: result.drift })}\n`);
  else if (!values.quiet) {
    output.summary.write(
      paintSummary(
        `Applied ${result.program.attributes.length} attributes to ${result.rows} documents in ${seconds.toFixed(1)} s\n` +
          (result.rejected.length ? `${result.rejected.length} function(s) did not compile:\n${result.rejected.map((r) => `  ${r.id}: ${r.error}`).join('\n')}\n` : '') +
          failedShardsText(result.failedShards) +
          driftText(result.drift) +
          (result.skipped.length ? `Skipped ${result.skipped.length} file(s)\n` : '') +
          (result.unsampledLayouts ? `${unsampledWarning(result.unsampledLayouts, result.rows)}\n` : '') +
          `Table: ${result.tablePath}\nCells (confidence, provenance): ${result.cellsPath}\n`,
        output.summary,
      ),
    );
  }
  return result.failedShards?.length ? EXIT.partial : EXIT.done;
}

/** Shards that failed on every attempt: what they held and why, and how to retry them. */
export function failedShardsText(failed: readonly FailedShard[] | undefined): string {
  if (!failed?.length) return '';
  return (
    `${failed.length} shard(s) failed on every attempt; their documents have no rows (run again with the same --run-dir to retry only them):\n` +
    failed.map((shard) => `  shard ${shard.index} (${shard.documents} documents, ${shard.first} .. ${shard.last}): ${shard.error}`).join('\n') +
    '\n'
  );
}

/** The drift warnings, with each attribute's coverage where a warning names it. */
function driftText(drift: readonly AttributeDrift[]): string {
  const warned = drift.filter((entry) => entry.warning);
  if (warned.length === 0) return '';
  return `Drift from the sample the program was built on:\n${warned.map((entry) => `  ${entry.warning}`).join('\n')}\n`;
}
