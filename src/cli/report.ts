import { DEFAULT_PORT, serveReport, writeReport } from '../report/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { intOption, parseOrHelp, stringOption, type CommandSpec } from './options.ts';

export const reportCommand: CommandSpec = {
  name: 'report',
  usage: 'evaporate report <run-dir> [--serve] [--port n] [--corpus dir]',
  summary:
    'Rebuild report.html in a run directory: the table coloured by confidence, the functions behind each attribute, ' +
    "each cell's document with the value highlighted, and the run's cost and timing. Opens in any browser without network access.",
  options: ['serve', 'port', 'corpus', 'quiet'],
  examples: ['evaporate report .evaporate/runs/<run>', 'evaporate report .evaporate/runs/<run> --serve --port 8080'],
};

export async function runReport(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(reportCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  const [runDir, extra] = positionals;
  if (runDir === undefined || extra !== undefined) throw new UsageError('usage: evaporate report <run-dir> [--serve] [--port n] (see --help)');
  const port = intOption(values, 'port');
  if (port !== undefined && port > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${port}"`);
  if (port !== undefined && !values.serve) throw new UsageError('--port only applies with --serve');
  const corpus = stringOption(values, 'corpus');
  const options = corpus === undefined ? {} : { corpusRoot: corpus };
  const say = (line: string) => values.quiet || process.stdout.write(`${line}\n`);

  if (!values.serve) {
    say(`Report: ${await writeReport(runDir, options)}`);
    return EXIT.done;
  }
  const server = await serveReport(runDir, { ...options, port: port ?? DEFAULT_PORT });
  say(`Report: ${server.reportPath}\nServing it at ${server.url} (whole documents load on demand). Press Ctrl-C to stop.`);
  await new Promise<void>((resolveStop) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolveStop());
  });
  await server.close();
  return EXIT.done;
}
