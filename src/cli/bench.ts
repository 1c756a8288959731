import { checkEndpoint } from '../model/index.ts';
import { bench } from '../api/bench.ts';
import { METHODS, type Method } from '../core/settings.ts';
import { EXIT, UsageError } from './errors.ts';
import { attributesOption, defined, intOption, modelSettings, parseOrHelp, progressMode, stringOption, synthOption, type CommandSpec, type ParsedValues } from './options.ts';
import { benchMix } from '../pipeline/bench-mix.ts';
import { createReporter } from './progress.ts';
import { describeSynth } from './summary.ts';

export const benchCommand: CommandSpec = {
  name: 'bench',
  usage: 'evaporate bench <dataset-folder> [--methods direct,code,code+] [options]  |  evaporate bench --mix <a>,<b>[,...] [options]',
  summary:
    'Run each method on the same sample of a benchmark with gold, score it (text F1), and write a Markdown\n' +
    'and a JSON report beside its runs (--record: into eval/results/): F1 per attribute, strict F1, model calls and\n' +
    'tokens, cost, functions, speed.\n' +
    'Without a model, code and code+ run with the built-in synthesizer and direct is skipped.',
  options: ['methods', 'mix', 'mix-docs', 'open-ie', 'attributes', 'schema', 'model', 'base-url', 'api-key-env', 'concurrency', 'request-timeout-ms', 'retries', 'synth', 'sample', 'seed', 'functions', 'top-k', 'timeout-ms', 'isolates', 'results-dir', 'record', 'run-dir', 'report', 'quiet', 'json'],
  examples: [
    'evaporate bench datasets/demo',
    'evaporate bench datasets/demo --open-ie',
    'evaporate bench "../shared/datasets/swde/book/book-booksamillion(2000)" --methods code,code+',
    'evaporate bench ./fda_510ks --model gpt-4o-mini --methods direct,code,code+',
    'evaporate bench ../shared/datasets/kleister-nda-train --schema kleister.json   # forms such as YYYY-MM-DD',
    'evaporate bench --mix datasets/demo,./swde/book-booksamillion --mix-docs 200   # a mixed folder against its parts alone',
  ],
};

export async function runBench(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(benchCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  if (values.mix !== undefined) return runMix(values, positionals);
  const dataset = positionals[0];
  if (dataset === undefined) throw new UsageError('missing <dataset-folder>: evaporate bench <dataset-folder> (see --help)');
  const methods = stringOption(values, 'methods')?.split(',').map((method) => method.trim()) as Method[] | undefined;
  const unknown = methods?.find((method) => !(METHODS as readonly string[]).includes(method));
  if (unknown !== undefined) throw new UsageError(`--methods: unknown method "${unknown}"; use direct, code and/or code+`);
  const reporter = createReporter(progressMode(values));
  const model = modelSettings(values);
  if (model) await checkEndpoint(model, { timeoutMs: 15_000 });
  const { reports, files } = await bench({
    dataset,
    model,
    onEvent: (event) => reporter.event(event),
    ...defined({
      methods,
      attributes: await attributesOption(values),
      ...runFlags(values),
      report: values.report as boolean | undefined,
      openIE: values['open-ie'] as boolean | undefined,
    }),
  });
  reporter.stop();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ type: 'result', reports, files })}\n`);
    return EXIT.done;
  }
  if (values.quiet) return EXIT.done;
  for (const report of reports) {
    process.stdout.write(`${report.setting}: ${report.documents} documents, model ${report.model ?? 'none'}\n`);
    for (const method of report.methods) {
      process.stdout.write(
        method.skipped
          ? `  ${method.method}: not run (${method.skipped})\n`
          : `  ${method.method}: ${method.open ? `pair F1 ${(method.open.pairF1 * 100).toFixed(1)}, schema F1 ${(method.open.schemaF1 * 100).toFixed(1)}, ` : ''}average text F1 ${((method.averageF1 ?? 0) * 100).toFixed(1)}, strict ${((method.averageStrictF1 ?? 0) * 100).toFixed(1)} (functions by ${describeSynth(method.synth ?? null)}), ${method.model?.promptTokens ?? 0} prompt tokens\n`,
      );
    }
  }
  process.stdout.write(`Reports: ${files.join(', ')}\n`);
  return EXIT.done;
}

/** `bench --mix a,b`: one run over the benchmarks copied into one folder, each part scored beside a run of it alone. */
async function runMix(values: ParsedValues, positionals: string[]): Promise<number> {
  const datasets = (stringOption(values, 'mix') ?? '').split(',').map((dataset) => dataset.trim()).filter(Boolean);
  if (datasets.length < 2) throw new UsageError('--mix needs two or more benchmark folders, e.g. --mix datasets/demo,./book-site');
  if (positionals.length > 0) throw new UsageError(`--mix names its benchmarks itself; drop "${positionals[0]}"`);
  const methods = stringOption(values, 'methods')?.split(',').map((method) => method.trim());
  if (methods !== undefined && (methods.length !== 1 || !(METHODS as readonly string[]).includes(methods[0] as string))) throw new UsageError('--mix runs one method: --methods code+ (default), code or direct');
  const reporter = createReporter(progressMode(values));
  const model = modelSettings(values);
  if (model) await checkEndpoint(model, { timeoutMs: 15_000 });
  const { report, files } = await benchMix({
    datasets,
    model,
    onEvent: (event) => reporter.event(event),
    ...defined({
      method: methods?.[0] as Method | undefined,
      perDataset: intOption(values, 'mix-docs', 1),
      ...runFlags(values),
    }),
  });
  reporter.stop();
  if (values.json) process.stdout.write(`${JSON.stringify({ type: 'result', report, files })}\n`);
  else if (!values.quiet) {
    const pct = (value: number) => (100 * value).toFixed(1);
    for (const part of report.parts) {
      process.stdout.write(`${part.setting}: ${part.documents} documents, ${part.sampled} sampled; alone ${pct(part.separate.paper)} / ${pct(part.separate.strict)}, mixed ${pct(part.mixed.paper)} / ${pct(part.mixed.strict)} (paper / strict text F1)\n`);
    }
    process.stdout.write(`Reports: ${files.join(', ')}\n`);
  }
  return EXIT.done;
}

/** The run settings both kinds of bench take from the flags. */
function runFlags(values: ParsedValues) {
  return {
    synth: synthOption(values),
    sampleSize: intOption(values, 'sample', 1),
    seed: intOption(values, 'seed', Number.MIN_SAFE_INTEGER),
    functionsPerAttribute: intOption(values, 'functions', 1),
    topK: intOption(values, 'top-k', 1),
    timeoutMs: intOption(values, 'timeout-ms', 1),
    isolates: intOption(values, 'isolates', 1),
    resultsDir: stringOption(values, 'results-dir') ?? (values.record ? 'eval/results' : undefined),
    workDir: stringOption(values, 'run-dir'),
  };
}
