/**
 * Apply throughput benchmark (issue 15): a program over a folder, end to end, against the unsandboxed
 * single-thread reference on the same views and functions, in interleaved rounds, in one process:
 *   reference   views built on this thread, then every function run with `new Function` (eval/reference.ts)
 *   apply-1     applyProgram with views built on this thread (the 0.1 pipeline's shape)
 *   apply       applyProgram as shipped: views on one thread per core beside the isolates
 * and view throughput: bare htmlparser2 `parseDocument` over the raw files on one thread, against the
 * project's views on one thread and on all cores. Medians over rounds; ratios are per round, then the median.
 *
 *   node --no-node-snapshot eval/bench-apply.ts [--folder F] [--program program.json | --fixture-book]
 *     [--rounds 3] [--label name] [--out eval/results]
 *
 * --fixture-book: the 100 hand-written extractors of test/fixtures/sandbox/book-extractors.ts (written in
 * the style of model output; not a model's), as a majority-vote program over SWDE book pages.
 * Writes <out>/apply-<label>.json and .md.
 */
import { parseDocument } from 'htmlparser2';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openCorpus, type CorpusDocument } from '../src/corpus/index.ts';
import { applyProgram } from '../src/pipeline/apply-program.ts';
import { parseProgram, readProgram, type Program, type ResultRow } from '../src/run/index.ts';
import { BOOK_EXTRACTORS } from '../test/fixtures/sandbox/book-extractors.ts';
import { referenceRunner, type ReferenceRun } from './reference.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    folder: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/swde/book/book-booksamillion(2000)') },
    program: { type: 'string' },
    'fixture-book': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    label: { type: 'string' },
    out: { type: 'string', default: path.join(repoRoot, 'eval/results') },
  },
});
if (!args.program && !args['fixture-book']) {
  console.error('bench-apply: pass --program <program.json> (e.g. a run directory\'s) or --fixture-book');
  process.exit(2);
}
const rounds = Number(args.rounds);
const cores = os.availableParallelism();
const caps = { maxStringLength: 2000, maxArrayItems: 50 };

function fixtureProgram(): Program {
  const byAttribute = new Map<string, { id: string; source: string }[]>();
  for (const fn of BOOK_EXTRACTORS) {
    const attribute = fn.id.replace(/-\d+$/, '');
    byAttribute.set(attribute, [...(byAttribute.get(attribute) ?? []), { id: fn.id, source: fn.source }]);
  }
  return parseProgram({ version: 1, method: 'mv', now: 0, attributes: [...byAttribute].map(([name, functions]) => ({ name, functions })) }, 'fixture program');
}

const program = args.program ? await readProgram(args.program) : fixtureProgram();
const label = args.label ?? (args.program ? path.basename(path.dirname(path.resolve(args.program))) : 'fixture-book');
const functions = program.attributes.flatMap((attribute) => attribute.functions);
const corpus = await openCorpus(args.folder);
const docs = corpus.documents.length;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

async function bareParse(): Promise<void> {
  for (const ref of corpus.documents) parseDocument(await readFile(ref.path, 'utf8'));
}

async function views(threads: number): Promise<void> {
  for await (const doc of corpus.views(undefined, { threads })) void doc;
}

/** Views on this thread, each document's functions run as soon as its view is built. */
let functionsMs = 0;
async function reference(): Promise<void> {
  const run = referenceRunner(functions, caps);
  const into: ReferenceRun = { rows: new Map(), parseMs: 0, parses: 0 };
  for await (const doc of corpus.views()) {
    const started = performance.now();
    run([doc as CorpusDocument], into);
    functionsMs += performance.now() - started;
  }
}

/** Rows in order, as one string, to check that both apply configurations give the same table. */
async function apply(viewThreads: number): Promise<string> {
  const rows: ResultRow[] = [];
  await applyProgram(program, corpus, (row) => void rows.push(row), { viewThreads });
  return JSON.stringify(rows);
}

const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`${docs} documents in ${args.folder}; program ${label}: ${functions.length} functions; ${cores} cores; ${rounds} rounds`);
const ms: Record<string, number[]> = { bare: [], views1: [], viewsAll: [], reference: [], apply1: [], apply: [] };
const refFunctionsMs: number[] = [];
let agree = true;
for (let round = 1; round <= rounds; round++) {
  ms.bare!.push(await timed(bareParse));
  ms.views1!.push(await timed(() => views(1)));
  ms.viewsAll!.push(await timed(() => views(cores)));
  functionsMs = 0;
  ms.reference!.push(await timed(reference));
  refFunctionsMs.push(functionsMs);
  let table1 = '';
  let table = '';
  ms.apply1!.push(await timed(async () => void (table1 = await apply(1))));
  ms.apply!.push(await timed(async () => void (table = await apply(cores))));
  agree &&= table1 === table;
  const last = (key: string) => ms[key]!.at(-1)!;
  console.log(
    `round ${round}: pages/s bare ${(docs / last('bare') * 1000).toFixed(0)}, views 1 thread ${(docs / last('views1') * 1000).toFixed(0)}, ` +
      `${cores} threads ${(docs / last('viewsAll') * 1000).toFixed(0)}; reference ${(last('reference') / 1000).toFixed(2)} s, ` +
      `apply-1 ${(last('apply1') / 1000).toFixed(2)} s (${(last('apply1') / last('reference')).toFixed(2)}x), apply ${(last('apply') / 1000).toFixed(2)} s (${(last('apply') / last('reference')).toFixed(2)}x)` +
      (table1 === table ? '' : '  TABLES DIFFER'),
  );
}

const ratio = (a: string, b: string) => median(ms[a]!.map((x, i) => x / ms[b]![i]!));
const pagesPerSecond = (key: string) => +(docs / median(ms[key]!) * 1000).toFixed(0);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cores} x ${os.cpus()[0]?.model ?? 'unknown'}`,
  load: { before: loadBefore, after: os.loadavg().map((x) => x.toFixed(2)).join(' ') },
  command: `node --no-node-snapshot eval/bench-apply.ts ${process.argv.slice(2).join(' ')}`.trim(),
  folder: args.folder,
  program: label,
  documents: docs,
  functions: functions.length,
  rounds,
  medianMs: Object.fromEntries(Object.entries(ms).map(([key, xs]) => [key, +median(xs).toFixed(0)])),
  pagesPerSecond: { bareParseDocument: pagesPerSecond('bare'), views1Thread: pagesPerSecond('views1'), viewsAllThreads: pagesPerSecond('viewsAll') },
  ratios: {
    viewsAllThreadsToBareParse: +ratio('bare', 'viewsAll').toFixed(2),
    applyToReference: +ratio('apply', 'reference').toFixed(2),
    apply1ThreadToReference: +ratio('apply1', 'reference').toFixed(2),
  },
  referenceUsPerFunctionDocument: +((median(refFunctionsMs) * 1000) / (functions.length * docs)).toFixed(1),
  tablesAgree: agree,
};
console.log(JSON.stringify(result, null, 2));
await mkdir(args.out, { recursive: true });
await writeFile(path.join(args.out, `apply-${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
const md = `# Apply benchmark: ${label}

${result.date}; ${result.cpus}, Node ${result.node}; load average before/after: ${result.load.before} / ${result.load.after}.
${docs} documents, ${functions.length} functions, medians over ${rounds} interleaved rounds. Command: \`${result.command}\`

| measure | value |
|---|---|
| apply (views on ${cores} threads, ${cores} isolates) / unsandboxed single-thread reference | ${result.ratios.applyToReference}x |
| apply with views on the main thread / reference | ${result.ratios.apply1ThreadToReference}x |
| median wall time: reference / apply-1 / apply (s) | ${(result.medianMs.reference! / 1000).toFixed(2)} / ${(result.medianMs.apply1! / 1000).toFixed(2)} / ${(result.medianMs.apply! / 1000).toFixed(2)} |
| views, pages/s: bare parseDocument 1 thread / views 1 thread / views ${cores} threads | ${result.pagesPerSecond.bareParseDocument} / ${result.pagesPerSecond.views1Thread} / ${result.pagesPerSecond.viewsAllThreads} |
| views on all threads / bare parseDocument | ${result.ratios.viewsAllThreadsToBareParse}x |
| reference functions alone, us per function x document | ${result.referenceUsPerFunctionDocument} |
| both apply configurations give the same table | ${agree ? 'yes' : 'NO'} |

Targets (issue 15): apply / reference <= 0.55 on 2 cores; views on all cores >= 0.7x bare parseDocument; built-in
candidates <= 60 us per function x document.
`;
await writeFile(path.join(args.out, `apply-${label}.md`), md);
