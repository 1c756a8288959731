import { resolve } from 'node:path';
import { checkEndpoint } from '../model/index.ts';
import type { RunSettings } from '../core/settings.ts';
import { runExtraction } from '../pipeline/extract.ts';
import { IN_MEMORY, type ExtractOptions } from '../pipeline/options.ts';
import { writeRunReport } from '../report/index.ts';
import { ARTIFACTS, defaultRunDir, readArtifact } from '../run/index.ts';
import { EXIT, UsageError } from './errors.ts';
import {
  attributesOption,
  cacheOption,
  convertersOption,
  choiceOption,
  defined,
  intOption,
  listOption,
  modelSettings,
  numberOption,
  parseOrHelp,
  progressMode,
  queueOption,
  stringOption,
  synthOption,
  type CommandSpec,
  type ParsedValues,
} from './options.ts';
import { AGGREGATIONS, METHODS } from '../core/settings.ts';
import { failedShardsText } from './apply.ts';
import { sendTable, tableOutput } from './output.ts';
import { paintSummary } from './style.ts';
import { runUpdate } from './update.ts';
import { untilInterrupted } from './interrupt.ts';
import { createReporter } from './progress.ts';
import { describeSynth, formatSummary } from './summary.ts';

export const extractCommand: CommandSpec = {
  name: 'extract',
  usage: 'evaporate extract <folder> [--attributes a,b,c | --schema schema.json] [--out table.csv] [options]',
  summary:
    'Extract a table from the documents in <folder>: one row per document, one column per attribute. Without\n' +
    '--attributes or --schema the attributes are discovered from a sample (open IE). Without a model, the\n' +
    'built-in synthesizer writes the extractor functions.',
  options: [
    'attributes', 'schema', 'out', 'format', 'model', 'base-url', 'api-key-env', 'concurrency', 'request-timeout-ms', 'retries', 'synth', 'method', 'aggregation',
    'sample', 'functions', 'top-k', 'min-f1', 'max-attributes', 'chunk-chars', 'run-dir', 'resume', 'update', 'include', 'exclude',
    'max-bytes', 'follow-links', 'convert', 'seed', 'batch-export', 'batch-import', 'cache-dir', 'shared-cache', 'timeout-ms', 'isolates', 'queue', 'queue-name', 'shard-size', 'fallback', 'report', 'quiet', 'json',
  ],
  examples: [
    'evaporate extract datasets/demo/docs --attributes title,director,release_date --out films.csv',
    'evaporate extract ./contracts --schema schema.json --model gpt-4o-mini --out table.jsonl',
    'evaporate extract ./pages --model llama3.1 --base-url http://localhost:11434/v1 --synth both',
    'evaporate extract ./pages --model gpt-4o-mini --batch-export requests.jsonl   # then submit, and:',
    'evaporate extract --resume .evaporate/runs/<run> --batch-import output.jsonl',
  ],
};

export async function runExtract(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(extractCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  if (values.update !== undefined) return runUpdate(values, positionals);
  const resumeDir = stringOption(values, 'resume');
  const given = await optionsFromFlags(values);
  let options: ExtractOptions;
  if (resumeDir !== undefined) {
    const saved = await readArtifact(resumeDir, 'run');
    if (saved === undefined) throw new UsageError(`--resume ${resumeDir}: no ${ARTIFACTS.run.file} there; pass the directory of an earlier run`);
    if (saved.documents === IN_MEMORY) throw new UsageError(`--resume ${resumeDir}: that run's documents were passed in memory; resume it from the library`);
    if (positionals.length > 0) throw new UsageError(`--resume continues the run on its own folder; drop "${positionals[0]}"`);
    // The saved settings, with any flag given now on top: a changed setting recomputes the stages it affects.
    const model = saved.model
      ? modelSettings({ model: saved.model.model, ...(saved.model.baseURL ? { 'base-url': saved.model.baseURL } : {}), ...pickModelFlags(values) }, { sends: !values['batch-export'] })
      : given.model;
    options = { ...savedOptions(saved), ...given, model, runDir: resumeDir };
  } else {
    const folder = positionals[0];
    if (folder === undefined) throw new UsageError('missing <folder>: evaporate extract <folder> [options] (see --help)');
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"; options go after --, e.g. --attributes a,b`);
    options = { ...given, documents: folder };
  }
  options = defined(options);
  if (options.out) options.out = resolve(options.out);
  const runDir = resolve(options.runDir ?? defaultRunDir());
  options.runDir = runDir;

  const reporter = createReporter(progressMode(values));
  if (!options.model) {
    if (options.synth && options.synth !== 'builtin') throw new UsageError(`--synth ${options.synth} needs a model: pass --model (or set EVAPORATE_MODEL)`);
    if (options.method === 'direct') throw new UsageError('--method direct needs a model: pass --model (or set EVAPORATE_MODEL)');
    reporter.info('No model configured: running the built-in synthesizer (no model calls, no cost). Set --model or EVAPORATE_MODEL to use a model.');
  } else {
    reporter.info(`Model: ${options.model.model}${options.model.baseURL ? ` at ${options.model.baseURL}` : ''}; synthesizer: ${describeSynth(options.synth ?? 'both')}`);
    // Fail in a second, not after the sample is chosen and the first stage times out.
    if (!options.batchExport) await checkEndpoint(options.model, { timeoutMs: 15_000 });
  }

  const started = performance.now();
  try {
    const result = await untilInterrupted(reporter, `Stopped. Finished stages are saved; continue with: evaporate extract --resume ${runDir}`, (signal) =>
      runExtraction({ ...options, onEvent: (event) => reporter.event(event), signal }),
    );
    if (values.report !== false) await writeRunReport(result.runDir, (message) => reporter.event({ type: 'notice', message }));
    reporter.stop();
    const seconds = (performance.now() - started) / 1000;
    const output = tableOutput(values);
    await sendTable(output, result.tablePath);
    if (values.json) process.stdout.write(`${JSON.stringify({ type: 'result', ...result, program: undefined })}\n`);
    else if (!values.quiet) output.summary.write(`${paintSummary(formatSummary(result, seconds), output.summary)}\n`);
    if (result.modelFailed && !values.fallback) {
      const failed = result.usage?.total.failedCalls ?? 0;
      process.stderr.write(
        `evaporate: every model request failed (${failed}); the table was made without the model. Check the endpoint, then continue with ` +
          `evaporate extract --resume ${runDir} (or pass --fallback to accept such a table)\n`,
      );
      return EXIT.failed;
    }
    if (result.failedShards?.length) {
      process.stderr.write(failedShardsText(result.failedShards));
      return EXIT.partial;
    }
    return EXIT.done;
  } finally {
    reporter.stop();
  }
}

function pickModelFlags(values: ParsedValues) {
  const flags: Record<string, string> = {};
  for (const name of ['model', 'base-url', 'api-key-env', 'concurrency', 'request-timeout-ms', 'retries'] as const) {
    const value = stringOption(values, name);
    if (value !== undefined) flags[name] = value;
  }
  return flags;
}

/** The run's settings as options, so a resumed run continues as it was. */
function savedOptions(saved: RunSettings): ExtractOptions {
  const { documents, model: _model, attributes, include, exclude, converters, startedAt: _clock, ...rest } = saved;
  return {
    ...rest,
    documents,
    ...(converters ? { converters } : {}),
    ...(attributes ? { attributes } : {}),
    ...(include ? { include } : {}),
    ...(exclude ? { exclude } : {}),
  };
}

/** The options the flags set; those not given are absent, so saved settings and defaults stay. */
async function optionsFromFlags(values: ParsedValues): Promise<Omit<ExtractOptions, 'documents'>> {
  const output = tableOutput(values);
  return defined({
    attributes: await attributesOption(values),
    model: modelSettings(values, { sends: !values['batch-export'] }),
    synth: synthOption(values),
    method: choiceOption(values, 'method', METHODS),
    aggregation: choiceOption(values, 'aggregation', AGGREGATIONS),
    sampleSize: intOption(values, 'sample', 1),
    seed: intOption(values, 'seed', Number.MIN_SAFE_INTEGER),
    functionsPerAttribute: intOption(values, 'functions', 1),
    topK: intOption(values, 'top-k', 1),
    minF1: numberOption(values, 'min-f1', 0, 1),
    maxAttributes: intOption(values, 'max-attributes', 1),
    chunkChars: intOption(values, 'chunk-chars', 200),
    runDir: stringOption(values, 'run-dir'),
    out: output.out,
    format: output.format,
    include: listOption(values, 'include'),
    exclude: listOption(values, 'exclude'),
    maxBytes: intOption(values, 'max-bytes', 1),
    followLinks: values['follow-links'] as boolean | undefined,
    converters: convertersOption(values),
    timeoutMs: intOption(values, 'timeout-ms', 1),
    isolates: intOption(values, 'isolates', 1),
    queue: queueOption(values),
    batchExport: stringOption(values, 'batch-export'),
    batchImport: listOption(values, 'batch-import'),
    cacheDir: cacheOption(values),
  });
}
