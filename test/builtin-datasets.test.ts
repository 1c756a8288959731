/**
 * The model-free synthesizer on real data: for each gold attribute, how many of 10 sampled documents
 * the best single candidate gets right, and how many at least one candidate gets right. Candidates are
 * written from those same 10 documents (as the pipeline does) and also scored on 20 documents they
 * never saw. Prints a table; asserts floors a regression would break.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { isSkipped, openCorpus, seededSample, type CorpusDocument } from '../src/corpus/index.ts';
import { readEvaporateTable, readSwdeGold } from '../src/eval/gold.ts';
import { textF1 } from '../src/text/f1.ts';
import { synthesizeBuiltin } from '../src/synthesis/builtin/index.ts';
import type { AttributeSpec } from '../src/core/attributes.ts';
import type { CandidateFunction } from '../src/synthesis/types.ts';
import { hostLibrary } from '../src/sandbox/index.ts';

const shared = path.resolve(import.meta.dirname, '../../shared/datasets');
const demo = path.resolve(import.meta.dirname, '../datasets/demo');
const haveShared = existsSync(shared);
if (!haveShared) console.warn(`builtin-datasets: ${shared} is absent, so the SWDE, SROIE and Kleister-NDA checks are skipped.`);

const SAMPLE = 10;
const HELD_OUT = 20;

interface Dataset {
  name: string;
  folder: string;
  gold: Map<string, Record<string, string[]>>;
  attributes: AttributeSpec[];
  /** Fewest sample documents that some candidate must get right, per attribute (default: most, 6 of 10). */
  floors?: Record<string, number>;
}

function run(candidate: CandidateFunction, doc: CorpusDocument): string | string[] | null {
  const extract = new Function(`${candidate.source}\nreturn extract;`)() as (view: string, $: unknown, lib: unknown) => unknown;
  let dom: ReturnType<typeof load> | undefined;
  const $ = (selector: string) => (dom ??= load(doc.view))(selector);
  const value = extract(doc.view, doc.format === 'html' ? $ : undefined, hostLibrary());
  return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : null;
}

async function loadDocs(folder: string, ids: string[]): Promise<CorpusDocument[]> {
  const corpus = await openCorpus(folder);
  const docs: CorpusDocument[] = [];
  for (const id of ids) {
    const ref = corpus.documents.find((d) => d.id === id);
    if (!ref) throw new Error(`${folder}: gold names ${id}, which is not in the folder`);
    const loaded = await corpus.load(ref);
    if (!isSkipped(loaded)) docs.push(loaded);
  }
  return docs;
}

interface Row {
  dataset: string;
  attribute: string;
  candidates: number;
  best: number;
  bestStrategy: string;
  covered: number;
  heldBest: number;
  heldCovered: number;
}

/** Per candidate, the documents it gets right (text F1 of 1 against the gold). */
function hits(candidates: CandidateFunction[], docs: CorpusDocument[], gold: Dataset['gold'], attribute: string): boolean[][] {
  return candidates.map((c) => docs.map((d) => textF1(run(c, d), gold.get(d.id)?.[attribute] ?? []) >= 0.999));
}

async function measure(dataset: Dataset): Promise<Row[]> {
  const picked = seededSample([...dataset.gold.keys()], SAMPLE + HELD_OUT, 'builtin', (id) => id);
  const sample = await loadDocs(dataset.folder, picked.slice(0, SAMPLE));
  const held = await loadDocs(dataset.folder, picked.slice(SAMPLE));
  return dataset.attributes.map((spec) => {
    const candidates = synthesizeBuiltin(spec, sample);
    const onSample = hits(candidates, sample, dataset.gold, spec.name);
    const onHeld = hits(candidates, held, dataset.gold, spec.name);
    const count = (row: boolean[]): number => row.filter(Boolean).length;
    const bestIndex = onSample.reduce((best, row, i) => (count(row) > count(onSample[best]!) ? i : best), 0);
    const covered = (table: boolean[][], n: number): number => Array.from({ length: n }, (_, d) => table.some((row) => row[d])).filter(Boolean).length;
    return {
      dataset: dataset.name,
      attribute: spec.name,
      candidates: candidates.length,
      best: onSample.length > 0 ? count(onSample[bestIndex]!) : 0,
      bestStrategy: candidates[bestIndex]?.strategy ?? '-',
      covered: covered(onSample, sample.length),
      heldBest: Math.max(0, ...onHeld.map(count)),
      heldCovered: covered(onHeld, held.length),
    };
  });
}

function report(rows: Row[]): void {
  const lines = rows.map(
    (r) =>
      `| ${r.dataset} | ${r.attribute} | ${r.candidates} | ${r.best}/${SAMPLE} (${r.bestStrategy}) | ${r.covered}/${SAMPLE} | ${r.heldBest}/${HELD_OUT} | ${r.heldCovered}/${HELD_OUT} |`,
  );
  console.log(
    ['| dataset | attribute | candidates | best candidate, sample | any candidate, sample | best, held-out | any, held-out |', '|---|---|---|---|---|---|---|', ...lines].join('\n'),
  );
}

function check(dataset: Dataset, rows: Row[]): void {
  report(rows);
  for (const row of rows) {
    const floor = dataset.floors?.[row.attribute] ?? 6;
    expect(row.covered, `${dataset.name}/${row.attribute}: candidates cover ${row.covered} of ${SAMPLE} sample documents`).toBeGreaterThanOrEqual(floor);
  }
}

describe('built-in candidates on the demo corpus', () => {
  it('covers every attribute on most sampled documents', { timeout: 120_000 }, async () => {
    const gold = await readEvaporateTable(path.join(demo, 'table.json'));
    const dataset: Dataset = { name: 'demo', folder: path.join(demo, 'docs'), gold: gold.rows, attributes: gold.attributes.map((name) => ({ name })) };
    check(dataset, await measure(dataset));
  });
});

describe.skipIf(!haveShared)('built-in candidates on ../shared/datasets', () => {
  it('SWDE booksamillion: the best single candidate gets nearly every page', { timeout: 300_000 }, async () => {
    const gold = await readSwdeGold(path.join(shared, 'swde/groundtruth/book'), 'book', 'booksamillion');
    if (!gold) throw new Error('SWDE ground truth for book/booksamillion not found');
    const dataset: Dataset = {
      name: 'swde-booksamillion',
      folder: path.join(shared, 'swde/book/book-booksamillion(2000)'),
      gold: gold.rows,
      attributes: gold.attributes.map((name) => ({ name })),
    };
    const rows = await measure(dataset);
    check(dataset, rows);
    for (const row of rows) expect(row.best, `${row.attribute}: best single candidate`).toBeGreaterThanOrEqual(9);
  });

  it('SROIE receipts', { timeout: 300_000 }, async () => {
    const gold = await readEvaporateTable(path.join(shared, 'sroie-receipts/table.json'));
    const dataset: Dataset = { name: 'sroie', folder: path.join(shared, 'sroie-receipts/docs'), gold: gold.rows, attributes: gold.attributes.map((name) => ({ name })) };
    check(dataset, await measure(dataset));
  });

  it('Kleister-NDA contracts', { timeout: 300_000 }, async () => {
    const gold = await readEvaporateTable(path.join(shared, 'kleister-nda-train/table.json'));
    const dataset: Dataset = {
      name: 'kleister-nda',
      folder: path.join(shared, 'kleister-nda-train/docs'),
      gold: gold.rows,
      // The gold writes dates as ISO dates, so the attribute says so, as a user would.
      attributes: gold.attributes.map((name) => (name === 'effective_date' ? { name, form: 'YYYY-MM-DD' } : { name })),
      // Party names are normalized by the dataset's conventions; no generic rule reaches most of them.
      floors: { party: 3 },
    };
    check(dataset, await measure(dataset));
  });
});
