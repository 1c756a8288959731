import { parseArgs } from 'node:util';
import { DEFAULT_PORT, serveReport, writeReport } from '../report/index.ts';
import { EXIT, UsageError } from './errors.ts';
import type { CommandSpec } from './options.ts';

/** Options only this command takes; they are parsed here so the shared option table stays the pipeline's. */
const REPORT_OPTIONS = [
  ['--serve', `serve the report on 127.0.0.1 and load whole documents on demand (Ctrl-C stops)`],
  ['--port <n>', `port for --serve (default ${DEFAULT_PORT}; 0 picks a free one)`],
  ['--corpus <dir>', 'the corpus folder, if it moved since the run (default: the folder the run read)'],
] as const;

export const reportCommand: CommandSpec = {
  name: 'report',
  usage: 'evaporate report <run-dir> [--serve] [--port n] [--corpus dir]',
  summary:
    'Rebuild report.html in a run directory: the table coloured by confidence, the functions behind each attribute, ' +
    'each cell\'s document with the value highlighted, and the run\'s cost and timing. Opens in any browser without network access.',
  options: ['quiet'],
  examples: ['evaporate report .evaporate/runs/<run>', 'evaporate report .evaporate/runs/<run> --serve --port 8080'],
};

export async function runReport(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { serve: { type: 'boolean' }, port: { type: 'string' }, corpus: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see evaporate report --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(reportHelp());
    return EXIT.done;
  }
  const [runDir, extra] = positionals;
  if (runDir === undefined || extra !== undefined) throw new UsageError('usage: evaporate report <run-dir> [--serve] [--port n] (see --help)');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  if (port !== undefined && !values.serve) throw new UsageError('--port only applies with --serve');
  const options = values.corpus === undefined ? {} : { corpusRoot: values.corpus };
  const say = (line: string) => values.quiet || process.stdout.write(`${line}\n`);

  if (!values.serve) {
    say(`Report: ${await writeReport(runDir, options)}`);
    return EXIT.done;
  }
  const server = await serveReport(runDir, { ...options, ...(port === undefined ? {} : { port }) });
  say(`Report: ${server.reportPath}\nServing it at ${server.url} (whole documents load on demand). Press Ctrl-C to stop.`);
  await new Promise<void>((resolveStop) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolveStop());
  });
  await server.close();
  return EXIT.done;
}

function reportHelp(): string {
  const rows = [...REPORT_OPTIONS, ['--quiet', 'print nothing but errors'], ['--help', 'show this help']];
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `Usage: ${reportCommand.usage}`,
    '',
    reportCommand.summary,
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    '',
    'Examples:',
    ...reportCommand.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}
