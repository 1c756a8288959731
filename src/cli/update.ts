import { update } from '../api/update.ts';
import { EXIT, UsageError } from './errors.ts';
import { untilInterrupted } from './interrupt.ts';
import { defined, intOption, progressMode, stringOption, type ParsedValues } from './options.ts';
import { sendTable, tableOutput } from './output.ts';
import { paintSummary } from './style.ts';
import { createReporter } from './progress.ts';
import { unsampledWarning } from './summary.ts';

/** `extract <folder> --update <run-dir>`: only new and changed documents are run, with the run's program. */
export async function runUpdate(values: ParsedValues, positionals: string[]): Promise<number> {
  const runDir = stringOption(values, 'update') as string;
  const folder = positionals[0];
  if (folder === undefined) throw new UsageError('--update needs the folder as it is now: evaporate extract <folder> --update <run-dir>');
  for (const flag of ['resume', 'model', 'attributes', 'schema', 'queue'] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--update applies the run's own program and sends no request; drop --${flag} (run extract afresh to change what is extracted)`);
  }
  const output = tableOutput(values);
  const reporter = createReporter(progressMode(values));
  const started = performance.now();
  const result = await untilInterrupted(reporter, `Stopped; ${runDir} is unchanged.`, (signal) =>
    update({
      documents: folder,
      runDir,
      signal,
      onEvent: (event) => reporter.event(event),
      ...defined({
        out: output.out,
        format: output.format,
        timeoutMs: intOption(values, 'timeout-ms', 1),
        isolates: intOption(values, 'isolates', 1),
        report: values.report as boolean | undefined,
      }),
    }),
  );
  reporter.stop();
  const seconds = (performance.now() - started) / 1000;
  await sendTable(output, result.tablePath);
  if (values.json) process.stdout.write(`${JSON.stringify({ type: 'result', ...result })}\n`);
  else if (!values.quiet) {
    output.summary.write(
      paintSummary(
        `Updated ${result.runDir} in ${seconds.toFixed(1)} s: ${result.added} new, ${result.changed} changed, ${result.removed} removed, ${result.unchanged} unchanged documents; no model requests\n` +
          (result.unsampledLayouts ? `${unsampledWarning(result.unsampledLayouts, result.added + result.changed)} Run evaporate extract on the folder afresh to sample those layouts.\n` : '') +
          `Table: ${result.tablePath}\n`,
        output.summary,
      ),
    );
  }
  return EXIT.done;
}
