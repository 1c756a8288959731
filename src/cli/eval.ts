import { evaluateFiles, renderEvaluationMarkdown } from '../eval/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { parseOrHelp, stringOption, type CommandSpec } from './options.ts';

export const evalCommand: CommandSpec = {
  name: 'eval',
  usage: 'evaporate eval --pred <table.csv|.jsonl|.json> --gold <gold> [--json]',
  summary:
    'Score a predicted table against gold: a table.json, an Evaporate-layout folder (docs/ + table.json),\n' +
    'or an SWDE site folder (ground truth found beside it). Text F1 per attribute and averaged (METHOD.md).',
  options: ['pred', 'gold', 'json'],
  examples: [
    'evaporate eval --pred table.csv --gold datasets/demo',
    'evaporate eval --pred out.jsonl --gold "../shared/datasets/swde/book/book-booksamillion(2000)"',
  ],
};

export async function runEval(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(evalCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values } = parsed;
  const pred = stringOption(values, 'pred');
  const gold = stringOption(values, 'gold');
  if (pred === undefined || gold === undefined) throw new UsageError('usage: evaporate eval --pred <table> --gold <gold> (see --help)');
  const result = await evaluateFiles(pred, gold);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${renderEvaluationMarkdown(result)}\n`);
  return EXIT.done;
}
