import { checkEndpoint } from '../model/index.ts';
import { discover } from '../pipeline/discover.ts';
import { EXIT, UsageError } from './errors.ts';
import { cacheOption, convertersOption, defined, intOption, listOption, modelSettings, parseOrHelp, stringOption, type CommandSpec } from './options.ts';
import { formatUsage, table } from './summary.ts';

export const discoverCommand: CommandSpec = {
  name: 'discover',
  usage: 'evaporate discover <folder> [options]',
  summary: 'List the attributes that a sample of the documents states, most frequent first (no extraction).',
  options: ['model', 'base-url', 'api-key-env', 'concurrency', 'request-timeout-ms', 'retries', 'sample', 'seed', 'max-attributes', 'chunk-chars', 'run-dir', 'include', 'exclude', 'max-bytes', 'follow-links', 'convert', 'cache-dir', 'shared-cache', 'json'],
  examples: ['evaporate discover datasets/demo/docs', 'evaporate discover ./receipts --model gpt-4o-mini --sample 20 --json'],
};

export async function runDiscover(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(discoverCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  const folder = positionals[0];
  if (folder === undefined) throw new UsageError('missing <folder>: evaporate discover <folder> (see --help)');
  const model = modelSettings(values);
  if (model) await checkEndpoint(model, { timeoutMs: 15_000 });
  const result = await discover({
    documents: folder,
    model,
    ...defined({
      sampleSize: intOption(values, 'sample', 1),
      seed: intOption(values, 'seed', Number.MIN_SAFE_INTEGER),
      maxAttributes: intOption(values, 'max-attributes', 1),
      chunkChars: intOption(values, 'chunk-chars', 200),
      runDir: stringOption(values, 'run-dir'),
      include: listOption(values, 'include'),
      exclude: listOption(values, 'exclude'),
      maxBytes: intOption(values, 'max-bytes', 1),
      followLinks: values['follow-links'] as boolean | undefined,
      converters: convertersOption(values),
      cacheDir: cacheOption(values),
    }),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return EXIT.done;
  }
  const source = result.by === 'model' ? 'the model' : 'the built-in rules (no model configured)';
  process.stdout.write(`${result.attributes.length} attributes found by ${source} in ${result.sampleSize} sample documents:\n`);
  const rows = result.attributes.map((attribute) => [attribute.name, `${attribute.frequency}/${result.sampleSize}`, (attribute.examples ?? []).slice(0, 2).join(' | ').slice(0, 80)]);
  process.stdout.write(`${table([['attribute', 'docs', 'examples'], ...rows]).map((line) => `  ${line}`).join('\n')}\n`);
  if (result.usage) process.stdout.write(`Model: ${formatUsage(result.usage)}\n`);
  return EXIT.done;
}
