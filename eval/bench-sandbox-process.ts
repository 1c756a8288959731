/**
 * The cost of running the sandbox in its own process (issue 15, item 3): the same functions over the same views
 * with the isolates in this process (`createIsolateSandbox`) and behind the process boundary (`createSandbox`),
 * interleaved per round, medians. Two function sets: the 100 book extractors (real work per document) and one
 * trivial function (almost nothing but the crossing), so the per-document cost of the boundary shows directly.
 *
 *   node --no-node-snapshot eval/bench-sandbox-process.ts [--rounds 5] [--docs 2000] [--root <SWDE site folder>]
 *
 * Writes eval/results/sandbox-process.md and .json. (--no-node-snapshot is for the in-process side only.)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openCorpus } from '../src/corpus/index.ts';
import { createSandbox } from '../src/sandbox/index.ts';
import { createIsolateSandbox } from '../src/sandbox/sandbox.ts';
import type { ExtractorSource, Sandbox, SandboxDocument } from '../src/sandbox/index.ts';
import { BOOK_EXTRACTORS } from '../test/fixtures/sandbox/book-extractors.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    docs: { type: 'string', default: '2000' },
    root: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/swde/book/book-booksamillion(2000)') },
    out: { type: 'string', default: path.join(repoRoot, 'eval/results') },
  },
});
const rounds = Number(args.rounds);

const SETS: Record<string, ExtractorSource[]> = {
  'book extractors (100)': BOOK_EXTRACTORS,
  'one trivial function': [{ id: 'len', source: 'function extract(doc) { return String(doc.length) }' }],
};
type Way = 'in-process' | 'own process';
const WAYS: Record<Way, (fns: ExtractorSource[]) => Promise<Sandbox>> = {
  'in-process': (fns) => createIsolateSandbox(fns, { now: 0 }),
  'own process': (fns) => createSandbox(fns, { now: 0 }),
};

async function timed(way: Way, fns: ExtractorSource[], docs: SandboxDocument[]): Promise<{ setupMs: number; runMs: number; digest: string }> {
  const t0 = performance.now();
  const sandbox = await WAYS[way](fns);
  const setupMs = performance.now() - t0;
  const started = performance.now();
  let digest = 0;
  for await (const row of sandbox.run(docs)) digest = (digest * 31 + JSON.stringify(row.outcomes).length) % 1_000_000_007;
  const runMs = performance.now() - started;
  await sandbox.close();
  return { setupMs, runMs, digest: String(digest) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(' ');
const corpus = await openCorpus(args.root);
const docs: SandboxDocument[] = [];
for await (const d of corpus.views()) {
  docs.push({ id: d.id, view: d.view, format: d.format });
  if (docs.length >= Number(args.docs)) break;
}
const mb = docs.reduce((s, d) => s + d.view.length, 0) / 1e6;
console.log(`${docs.length} views (${mb.toFixed(1)} M chars), ${os.availableParallelism()} isolates, ${rounds} rounds`);

const runs: Record<string, Record<Way, { setupMs: number; runMs: number; digest: string }[]>> = {};
for (let round = 1; round <= rounds; round++) {
  for (const [name, fns] of Object.entries(SETS)) {
    runs[name] ??= { 'in-process': [], 'own process': [] };
    // Alternate which goes first, so warm-up and machine drift fall on both.
    const order: Way[] = round % 2 ? ['in-process', 'own process'] : ['own process', 'in-process'];
    for (const way of order) runs[name]![way].push(await timed(way, fns, docs));
    const [a, b] = [runs[name]!['in-process'].at(-1)!, runs[name]!['own process'].at(-1)!];
    console.log(`round ${round} ${name}: in-process ${a.runMs.toFixed(0)} ms, own process ${b.runMs.toFixed(0)} ms (${(b.runMs / a.runMs).toFixed(2)}x)${a.digest === b.digest ? '' : '  OUTPUTS DIFFER'}`);
  }
}

const rows = Object.entries(runs).map(([name, r]) => {
  const ratios = r['in-process'].map((a, i) => r['own process'][i]!.runMs / a.runMs);
  const inMs = median(r['in-process'].map((t) => t.runMs));
  const outMs = median(r['own process'].map((t) => t.runMs));
  return {
    name,
    inProcessMs: inMs,
    ownProcessMs: outMs,
    ratio: median(ratios),
    ratios,
    usPerDocument: ((outMs - inMs) * 1000) / docs.length,
    setupMs: { inProcess: median(r['in-process'].map((t) => t.setupMs)), ownProcess: median(r['own process'].map((t) => t.setupMs)) },
    outputsAgree: r['in-process'].every((t, i) => t.digest === r['own process'][i]!.digest),
  };
});
const record = { date: new Date().toISOString(), load: { before: loadBefore, after: os.loadavg().map((x) => x.toFixed(2)).join(' ') }, node: process.version, documents: docs.length, rounds, rows };
const md = [
  '# The sandbox in its own process: cost of the boundary',
  '',
  `${record.date}; ${os.availableParallelism()} CPUs, Node ${process.version}; load before/after ${record.load.before} / ${record.load.after}.`,
  `${docs.length} booksamillion views (${mb.toFixed(1)} M characters); medians of ${rounds} interleaved rounds (order alternating).`,
  'Command: `node --no-node-snapshot eval/bench-sandbox-process.ts`',
  '',
  '| functions | in-process ms | own process ms | own / in (median) | per round | boundary us per document | setup ms in / own | outputs agree |',
  '|---|---:|---:|---:|---|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.inProcessMs.toFixed(0)} | ${r.ownProcessMs.toFixed(0)} | ${r.ratio.toFixed(2)}x | ${r.ratios.map((x) => x.toFixed(2)).join(', ')} | ${r.usPerDocument.toFixed(1)} | ${r.setupMs.inProcess.toFixed(0)} / ${r.setupMs.ownProcess.toFixed(0)} | ${r.outputsAgree ? 'yes' : 'NO'} |`,
  ),
  '',
  'Boundary us per document = (own process - in-process) wall time / documents: the copy of each view to the host and of its outcomes back, in chunks of up to 32 documents.',
  'Setup = creating the sandbox (own process: starting Node, loading isolated-vm and the bundle, then the isolates).',
  '',
].join('\n');
await mkdir(args.out, { recursive: true });
await writeFile(path.join(args.out, 'sandbox-process.json'), `${JSON.stringify(record, null, 2)}\n`);
await writeFile(path.join(args.out, 'sandbox-process.md'), md);
console.log(md);
