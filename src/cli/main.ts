import { readFileSync } from 'node:fs';
import { EvaporateError } from '../core/errors.ts';
import { runApply } from './apply.ts';
import { loadDotEnv } from './dotenv.ts';
import { runBench } from './bench.ts';
import { runCompletion } from './completion.ts';
import { runDiscover } from './discover.ts';
import { EXIT, exitCodeOf, renderHint, UsageError } from './errors.ts';
import { runEstimate } from './estimate.ts';
import { runEval } from './eval.ts';
import { runExtract } from './extract.ts';
import { runReport } from './report.ts';
import { runWorker } from './worker.ts';
import { paint } from './style.ts';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  extract: { run: runExtract, summary: 'extract a table from a folder of documents' },
  discover: { run: runDiscover, summary: 'list the attributes found in a sample of the documents' },
  apply: { run: runApply, summary: 'run a saved program.json over a folder (no model)' },
  estimate: { run: runEstimate, summary: 'what an extract run would cost, before spending' },
  eval: { run: runEval, summary: 'score a predicted table against gold' },
  bench: { run: runBench, summary: 'run methods on a benchmark dataset and report F1, tokens and speed' },
  report: { run: runReport, summary: 'rebuild or serve the review page (report.html) of a run' },
  worker: { run: runWorker, summary: 'run queued shards of apply and extract runs (--queue) on this machine' },
  completion: { run: runCompletion, summary: 'print a bash, zsh or fish completion script' },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'Usage: evaporate <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Run "evaporate <command> --help" for a command\'s options and examples.',
    'Quick start: evaporate extract datasets/demo/docs --out table.csv',
    '',
  ].join('\n');
}

/** What went wrong, as one line for a person and, with --json, as a JSON event on stdout. */
interface Failure {
  code: string;
  message: string;
  hint: string;
  exitCode: number;
}

function failureOf(error: unknown, command: string): Failure {
  if (error instanceof EvaporateError) return { code: error.code, message: error.message, hint: renderHint(error.hint, command), exitCode: exitCodeOf(error.code) };
  if (error instanceof UsageError) return { code: 'usage', message: error.message, hint: '', exitCode: EXIT.usage };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), hint: '', exitCode: EXIT.failed };
}

/** One line saying what went wrong and what to do; a stack trace only for bugs (or with EVAPORATE_DEBUG=1). */
function report(error: unknown, command: string, json: boolean): number {
  const failure = failureOf(error, command);
  if (json) process.stdout.write(`${JSON.stringify({ type: 'error', ...failure })}\n`);
  if (failure.code === 'batch-pending') process.stderr.write(`${failure.message}\n${failure.hint ? `Then ${failure.hint}\n` : ''}`);
  else process.stderr.write(`${paint('red', 'evaporate:')} ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}\n`);
  if (failure.code === 'internal' && process.env['EVAPORATE_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return failure.exitCode;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? EXIT.usage : EXIT.done;
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return EXIT.done;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`evaporate: unknown command "${name}"; the commands are ${Object.keys(commands).join(', ')} (see evaporate --help)\n`);
    return EXIT.usage;
  }
  const dotenv = loadDotEnv();
  if (dotenv.warning) process.stderr.write(`evaporate: ${dotenv.warning}\n`);
  try {
    return await command.run(rest);
  } catch (error) {
    return report(error, name, rest.includes('--json'));
  }
}

// Started with an IPC channel (by a supervisor or a test harness): when that parent dies the channel closes, and
// this process must not go on writing the run directory alone. The channel must not keep the process alive by itself.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

process.exitCode = await main(process.argv.slice(2));
