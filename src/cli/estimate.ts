import { estimate } from '../pipeline/estimate.ts';
import { EXIT, UsageError } from './errors.ts';
import { attributesOption, defined, intOption, listOption, modelSettings, parseOrHelp, stringOption, synthOption, type CommandSpec } from './options.ts';
import { table } from './summary.ts';

export const estimateCommand: CommandSpec = {
  name: 'estimate',
  usage: 'evaporate estimate <folder> --model <name> [--attributes a,b,c | --schema schema.json] [options]',
  summary:
    'What an extract run would cost, before spending: the model requests it would send, their prompt tokens\n' +
    '(estimated), the most completion tokens they may use, and the price when the model is in the price table;\n' +
    'and the same for --method direct on this corpus, for comparison. Sends no request.',
  options: ['attributes', 'schema', 'model', 'base-url', 'synth', 'sample', 'seed', 'functions', 'max-attributes', 'chunk-chars', 'include', 'exclude', 'max-bytes', 'follow-links', 'json'],
  examples: ['evaporate estimate datasets/demo/docs --model gpt-4o-mini --attributes title,director', 'evaporate estimate ./contracts --model gpt-4o --schema schema.json --json'],
};

export async function runEstimate(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(estimateCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  const folder = positionals[0];
  if (folder === undefined) throw new UsageError('missing <folder>: evaporate estimate <folder> --model <name> (see --help)');
  // Estimating sends nothing, so a missing key does not matter here.
  const model = modelSettings(values, { sends: false });
  if (!model) throw new UsageError('estimate needs a model to price: pass --model <name> (or set EVAPORATE_MODEL); without a model a run costs nothing');
  const result = await estimate({
    documents: folder,
    model,
    ...defined({
      attributes: await attributesOption(values),
      synth: synthOption(values),
      sampleSize: intOption(values, 'sample', 1),
      seed: intOption(values, 'seed', Number.MIN_SAFE_INTEGER),
      functionsPerAttribute: intOption(values, 'functions', 1),
      maxAttributes: intOption(values, 'max-attributes', 1),
      chunkChars: intOption(values, 'chunk-chars', 200),
      include: listOption(values, 'include'),
      exclude: listOption(values, 'exclude'),
      maxBytes: intOption(values, 'max-bytes', 1),
      followLinks: values['follow-links'] as boolean | undefined,
    }),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.done;
  }
  const money = (cost: number | null) => (cost === null ? 'unknown (model not in the price table)' : `$${cost.toFixed(4)}`);
  const lines = [
    `Estimate for ${result.documents} documents, sample of ${result.sampleSize}, model ${result.model}:`,
    result.openIE ? `  (open IE: the ${result.attributes.length} attributes the built-in discovery finds stand in for the model's)` : `  attributes: ${result.attributes.join(', ')}`,
    ...table([
      ['method', 'requests', 'prompt tokens', 'max completion tokens', 'cost'],
      ['code / code+', String(result.code.requests), String(result.code.promptTokens), String(result.code.maxCompletionTokens ?? '?'), money(result.code.costUsd)],
      ['direct', String(result.direct.requests), String(result.direct.promptTokens), String(result.direct.maxCompletionTokens ?? '?'), money(result.direct.costUsd)],
    ]).map((line) => `  ${line}`),
    `  requests by stage: ${Object.entries(result.requestsByStage).map(([stage, n]) => `${stage} ${n}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.done;
}
