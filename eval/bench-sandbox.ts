/**
 * Sandbox speed benchmark (issue 3). 100 realistic candidate extractors for SWDE book pages over all
 * booksamillion views, three ways in one process, interleaved per round:
 *   reference  the same sources run unsandboxed in this Node thread (`new Function`), lazy cheerio `$`
 *   single     the sandbox with one isolate
 *   pool       the sandbox with its default pool (one isolate per core)
 * Reported: microseconds per function x document, ratios to the reference, medians over rounds,
 * separately for the functions that use `$` (including parsing) and those that do not.
 *
 *   node --no-node-snapshot eval/bench-sandbox.ts [--rounds 3] [--docs 2000] [--root ../shared/datasets/...]
 *     [--subsets all,plain,query] [--semi-space-mb N] [--out eval/results]
 *
 * Writes eval/results/sandbox.json and eval/results/sandbox.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openCorpus } from '../src/corpus/index.ts';
import { createSandbox } from '../src/sandbox/index.ts';
import type { ExtractorSource, SandboxDocument } from '../src/sandbox/index.ts';
import { digestOf, outcomeKey, referenceRunner, type ReferenceRun } from './reference.ts';
import { BOOK_EXTRACTORS, usesQuery } from '../test/fixtures/sandbox/book-extractors.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    docs: { type: 'string', default: '2000' },
    root: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/swde/book/book-booksamillion(2000)') },
    out: { type: 'string', default: path.join(repoRoot, 'eval/results') },
    subsets: { type: 'string', default: 'all,plain,query' },
    'semi-space-mb': { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const maxDocs = Number(args.docs);
const caps = { maxStringLength: 2000, maxArrayItems: 50 };
const subsetNames = args.subsets.split(',') as Subset[];

type Config = 'reference' | 'single' | 'pool';
type Subset = 'all' | 'plain' | 'query';

interface RunTiming {
  ms: number;
  /** CPU time: this thread for the reference; isolates plus this thread for the sandbox. */
  cpuMs: number;
  parseMs: number;
  parses: number;
  /** Stable digest of all outcomes, to check that the three ways agree. */
  digest: string;
}

/** The unsandboxed reference: what an engine without isolation would do, in one thread. */
function runReference(fns: ExtractorSource[], docs: SandboxDocument[]): RunTiming {
  const run = referenceRunner(fns, caps);
  const into: ReferenceRun = { rows: new Map(), parseMs: 0, parses: 0 };
  const started = performance.now();
  const cpu0 = process.threadCpuUsage();
  run(docs, into);
  const ms = performance.now() - started;
  const cpu = process.threadCpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, parseMs: into.parseMs, parses: into.parses, digest: digestOf(into.rows, docs.map((d) => d.id)) };
}

async function runSandboxed(fns: ExtractorSource[], docs: SandboxDocument[], isolates: number): Promise<RunTiming & { setupMs: number }> {
  const t0 = performance.now();
  const semiSpace = args['semi-space-mb'];
  const sandbox = await createSandbox(fns, { isolates, now: 0, ...(semiSpace === undefined ? {} : { semiSpaceMb: Number(semiSpace) }) });
  const setupMs = performance.now() - t0;
  if (sandbox.rejected.length > 0) throw new Error(`benchmark functions rejected: ${JSON.stringify(sandbox.rejected)}`);
  const rows = new Map<string, string[]>();
  const isolateCpu0 = sandbox.counters().isolateCpuMs;
  const started = performance.now();
  const cpu0 = process.threadCpuUsage();
  for await (const r of sandbox.run(docs)) rows.set(r.docId, sandbox.functionIds.map((id) => outcomeKey(r.outcomes[id]!)));
  const ms = performance.now() - started;
  const cpu = process.threadCpuUsage(cpu0);
  const c = sandbox.counters();
  const cpuMs = c.isolateCpuMs - isolateCpu0 + (cpu.user + cpu.system) / 1000;
  await sandbox.close();
  if (c.isolateRestarts > 0 || (c.errors.timeout ?? 0) > 0) {
    console.warn(`  note: ${c.isolateRestarts} isolate restarts, ${c.errors.timeout ?? 0} timeouts (machine busy?)`);
  }
  return { ms, cpuMs, setupMs, parseMs: c.parseMs, parses: c.parses, digest: digestOf(rows, docs.map((d) => d.id)) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  // The machine may be shared: record how busy it was, since wall-clock ratios depend on it.
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`loading views from ${args.root}`);
  const corpus = await openCorpus(args.root);
  const docs: SandboxDocument[] = [];
  for await (const d of corpus.views()) {
    docs.push({ id: d.id, view: d.view, format: d.format });
    if (docs.length >= maxDocs) break;
  }
  const avgChars = Math.round(docs.reduce((s, d) => s + d.view.length, 0) / docs.length);
  const subsets: Record<Subset, ExtractorSource[]> = {
    all: BOOK_EXTRACTORS,
    plain: BOOK_EXTRACTORS.filter((f) => !usesQuery(f)),
    query: BOOK_EXTRACTORS.filter(usesQuery),
  };
  const poolSize = os.availableParallelism();
  console.log(`${docs.length} documents (avg ${avgChars} chars), ${BOOK_EXTRACTORS.length} functions (${subsets.query.length} use $), pool = ${poolSize} isolates, ${rounds} rounds`);

  const results: Record<Subset, Record<Config, (RunTiming & { setupMs?: number })[]>> = {
    all: { reference: [], single: [], pool: [] },
    plain: { reference: [], single: [], pool: [] },
    query: { reference: [], single: [], pool: [] },
  };
  for (let round = 1; round <= rounds; round++) {
    for (const subset of subsetNames) {
      const fns = subsets[subset];
      const ref = runReference(fns, docs);
      const single = await runSandboxed(fns, docs, 1);
      const pool = await runSandboxed(fns, docs, poolSize);
      results[subset].reference.push(ref);
      results[subset].single.push(single);
      results[subset].pool.push(pool);
      const us = (t: RunTiming) => ((t.ms * 1000) / (fns.length * docs.length)).toFixed(2);
      console.log(
        `round ${round} ${subset.padEnd(5)}: reference ${us(ref)} us, single ${us(single)} us (${(single.ms / ref.ms).toFixed(2)}x, ` +
          `cpu ${(single.cpuMs / ref.cpuMs).toFixed(2)}x), pool ${us(pool)} us (${(pool.ms / ref.ms).toFixed(2)}x)` +
          (ref.digest === single.digest && ref.digest === pool.digest ? '' : `  OUTPUTS DIFFER ${ref.digest} ${single.digest} ${pool.digest}`),
      );
    }
  }

  const summary = Object.fromEntries(
    subsetNames.map((subset) => {
      const fns = subsets[subset].length;
      const r = results[subset];
      const perCall = (t: RunTiming) => (t.ms * 1000) / (fns * docs.length);
      const ratios = (c: Config) => r[c].map((t, i) => t.ms / r.reference[i]!.ms);
      const cpuRatios = (c: Config) => r[c].map((t, i) => t.cpuMs / r.reference[i]!.cpuMs);
      return [
        subset,
        {
          functions: fns,
          usPerCall: {
            reference: median(r.reference.map(perCall)),
            single: median(r.single.map(perCall)),
            pool: median(r.pool.map(perCall)),
          },
          ratioToReference: { single: median(ratios('single')), pool: median(ratios('pool')) },
          ratiosPerRound: { single: ratios('single'), pool: ratios('pool') },
          cpuRatioToReference: { single: median(cpuRatios('single')), pool: median(cpuRatios('pool')) },
          parseMsPerDoc: {
            reference: median(r.reference.map((t) => (t.parses ? t.parseMs / t.parses : 0))),
            sandbox: median(r.single.map((t) => (t.parses ? t.parseMs / t.parses : 0))),
          },
          sandboxSetupMs: { single: median(r.single.map((t) => t.setupMs ?? 0)), pool: median(r.pool.map((t) => t.setupMs ?? 0)) },
          outputsAgree: r.reference.every((t, i) => t.digest === r.single[i]!.digest && t.digest === r.pool[i]!.digest),
        },
      ];
    }),
  );
  const record = {
    date: new Date().toISOString(),
    load: { before: loadBefore, after: os.loadavg().map((x) => x.toFixed(2)).join(' ') },
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    corpus: { root: path.relative(repoRoot, args.root), documents: docs.length, avgChars },
    rounds,
    poolIsolates: poolSize,
    semiSpaceMb: args['semi-space-mb'] === undefined ? 'default' : Number(args['semi-space-mb']),
    targets: { single: 1.25, pool: 0.75 },
    summary,
  };
  await mkdir(args.out, { recursive: true });
  await writeFile(path.join(args.out, 'sandbox.json'), JSON.stringify(record, null, 2) + '\n');
  await writeFile(path.join(args.out, 'sandbox.md'), renderMarkdown(record));
  console.log(renderMarkdown(record));
}

function renderMarkdown(record: { date: string; load: { before: string; after: string }; machine: { cpus: number; model: string; node: string }; corpus: { documents: number; avgChars: number }; rounds: number; poolIsolates: number; summary: Record<string, any> }): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const lines = [
    '# Sandbox benchmark',
    '',
    `${record.date}; ${record.machine.cpus} CPUs (${record.machine.model}), Node ${record.machine.node}; load average before/after: ${record.load.before} / ${record.load.after}.`,
    `${record.corpus.documents} booksamillion views (avg ${record.corpus.avgChars} chars); medians over ${record.rounds} interleaved rounds.`,
    'Command: `node --no-node-snapshot eval/bench-sandbox.ts`',
    '',
    '| functions | n | reference us/call | single isolate us/call | pool us/call | single / reference | pool / reference | CPU single / reference | CPU pool / reference | parse ms/doc (ref / sandbox) | outputs agree |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, s] of Object.entries(record.summary)) {
    lines.push(
      `| ${name} | ${s.functions} | ${f(s.usPerCall.reference)} | ${f(s.usPerCall.single)} | ${f(s.usPerCall.pool)} | ${f(s.ratioToReference.single)}x | ${f(s.ratioToReference.pool)}x | ${f(s.cpuRatioToReference.single)}x | ${f(s.cpuRatioToReference.pool)}x | ${f(s.parseMsPerDoc.reference)} / ${f(s.parseMsPerDoc.sandbox)} | ${s.outputsAgree ? 'yes' : 'NO'} |`,
    );
  }
  lines.push(
    '',
    `Targets: single isolate <= 1.25x the unsandboxed single-thread reference; pool (${record.poolIsolates} isolates) <= 0.75x.`,
    '"query" = the functions that use `$`; their time includes parsing each document once (sandbox: plus snapshotting the parsed tree so edits by one function cannot reach the next).',
    'us/call = wall time of the whole run / (functions x documents); sandbox setup (isolates, bundle, compile) is excluded and recorded in sandbox.json.',
    'CPU = CPU time (reference: its thread; sandbox: the isolates plus the host thread that feeds them); less sensitive than wall time to other load on a shared machine, but it does not show the pool\'s parallelism.',
    '',
  );
  return lines.join('\n');
}

await main();
