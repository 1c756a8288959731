/**
 * Mixed folders: documents are grouped by layout without a model, the sample covers every significant layout,
 * and model cost grows with the number of layouts, never with the number of documents.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterLayouts, layoutSignature, openCorpus } from '../src/corpus/index.ts';
import { resolveModelSettings, type ModelSettings } from '../src/model/index.ts';
import { runExtraction } from '../src/pipeline/extract.ts';
import { runProgram } from '../src/pipeline/run-program.ts';
import { createDriftTally } from '../src/pipeline/drift.ts';
import { pickCovering } from '../src/pipeline/stages/sample.ts';
import { readArtifact } from '../src/run/index.ts';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server.ts';
import { loadDemoModel, type DemoModel } from './support/scripted-model.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
const books = resolve(import.meta.dirname, '../../shared/datasets/swde/book/book-booksamillion(2000)');
const haveBooks = existsSync(books);
if (!haveBooks) console.warn(`layouts: ${books} is absent, so the demo + booksamillion mix is skipped.`);

let work: string;
let model: DemoModel;
let server: LoopbackServer;
let settings: ModelSettings;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-layouts-'));
  model = await loadDemoModel(demo);
  server = await startLoopbackServer(model.handler);
  settings = resolveModelSettings({ model: 'scripted', baseURL: server.url, maxRetries: 0 }, {}) as ModelSettings;
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('layouts', () => {
  it('puts each demo site in a layout of its own', async () => {
    const corpus = await openCorpus(join(demo, 'docs'), { include: ['site-*/**'] });
    const docs = [];
    for await (const doc of corpus.views()) docs.push({ id: doc.id, signature: layoutSignature(doc) });
    const layouts = clusterLayouts(docs);
    expect(layouts.map((layout) => layout.docs.length)).toEqual([20, 20, 20]);
    for (const layout of layouts) expect(new Set(layout.docs.map((id) => id.split('/')[0])).size).toBe(1);
  });

  it('samples one document of every significant layout first, then in the seeded order', () => {
    const layout = (id: string, size: number, significant = true) => ({ id, leader: `${id}-0`, docs: Array.from({ length: size }, (_, i) => `${id}-${i}`), significant });
    const picked = pickCovering({ surveyed: 103, layouts: [layout('big', 80), layout('mid', 15), layout('small', 6), layout('odd', 2, false)] }, 5);
    expect(picked).toHaveLength(5);
    for (const id of ['big', 'mid', 'small']) expect(picked.some((doc) => doc.startsWith(`${id}-`))).toBe(true);
    // More significant layouts than places: the sample grows to cover them, up to twice its size.
    const many = { surveyed: 300, layouts: Array.from({ length: 30 }, (_, i) => layout(`l${i}`, 10)) };
    expect(pickCovering(many, 10)).toHaveLength(20);
  });
});

/** `copies` copies of each demo site's pages, each copy marked so no two documents are identical. */
async function mixedCorpus(name: string, copies: number): Promise<string> {
  const folder = join(work, name);
  for (const site of ['site-a', 'site-b', 'site-c']) {
    const files = (await readdir(join(demo, 'docs', site))).slice(0, 10);
    for (let copy = 0; copy < copies; copy++) {
      await mkdir(join(folder, `copy-${copy}`, site), { recursive: true });
      for (const file of files) {
        const page = await readFile(join(demo, 'docs', site, file), 'utf8');
        await writeFile(join(folder, `copy-${copy}`, site, file), page.replace('</title>', ` (archive ${copy})</title>`));
      }
    }
  }
  return folder;
}

describe('model cost on a mixed folder', () => {
  it('sends about the same requests for 10x the documents of the same layouts, and samples every layout', async () => {
    const run = (documents: string, dir: string) =>
      runExtraction({ documents, attributes: ['title', 'director'], model: settings, synth: 'model', runDir: join(work, dir), sampleSize: 4, functionsPerAttribute: 4, seed: 5 });
    const small = await run(await mixedCorpus('mix-30', 1), 'run-30');
    const large = await run(await mixedCorpus('mix-300', 10), 'run-300');
    expect(large.rows).toBe(10 * small.rows);
    // Synthesis asks a fixed number per attribute; direct answers on the sample may ask a further chunk or two
    // when a value is not in the first, which depends on which pages were drawn, not on how many there are.
    expect(large.usage!.stages['synthesis']!.calls).toBe(small.usage!.stages['synthesis']!.calls);
    expect(large.usage!.stages['pseudo-labels']!.calls).toBeLessThanOrEqual(small.usage!.stages['pseudo-labels']!.calls * 1.5);
    expect(large.usage!.total.calls / small.usage!.total.calls).toBeLessThan(1.3);
    for (const result of [small, large]) {
      const sample = (await readArtifact(result.runDir, 'sample'))!;
      expect(new Set(sample.map((id) => id.split('/')[1])).size, sample.join(', ')).toBe(3);
      const layouts = (await readArtifact(result.runDir, 'layouts'))!;
      expect(layouts.layouts.filter((layout) => layout.significant)).toHaveLength(3);
    }
  }, 120_000);
});

describe('a layout the sample never covered', () => {
  it('is marked in its cells, at lower confidence, when a program meets it', async () => {
    const built = await runExtraction({ documents: join(demo, 'docs'), include: ['site-a/**', 'site-b/**'], attributes: ['title'], model: null, runDir: join(work, 'ab') });
    expect(built.unsampledLayouts).toBe(0);
    const applied = await runProgram({ program: built.programPath!, documents: join(demo, 'docs'), include: ['site-a/**', 'site-c/**'], runDir: join(work, 'ac') });
    expect(applied.unsampledLayouts).toBe(20);
    const cells = (await readFile(applied.cellsPath, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { doc: string; cells: { title: { confidence: number; note?: string } } });
    for (const row of cells) {
      if (row.doc.startsWith('site-c/')) {
        expect(row.cells.title.note).toMatch(/^layout not sampled/);
        expect(row.cells.title.confidence).toBeLessThanOrEqual(0.5);
      } else expect(row.cells.title.note).toBeUndefined();
    }
    // The drift report splits coverage by sampled and unsampled layouts, against what the sample showed.
    const [title] = applied.drift;
    expect(title).toMatchObject({ attribute: 'title', sampledLayouts: { documents: 20 }, unsampledLayouts: { documents: 20 } });
    expect(title?.sample).toBeGreaterThan(0.5);
  }, 60_000);

  it('warns in the drift report when a column goes quiet on layouts the program was not built on', () => {
    const program = { attributes: [{ name: 'title', sampleCoverage: 1, functions: [] }, { name: 'rating', sampleCoverage: 0.5, functions: [] }] };
    const tally = createDriftTally(program);
    const cell = (value: string[] | null, note?: string) => ({ value, confidence: 1, voters: [], spans: [], candidates: [], ...(note ? { note } : {}) });
    for (let i = 0; i < 10; i++) tally.add({ doc: `a${i}`, cells: { title: cell(['T']), rating: cell(i % 2 ? ['5'] : null) } });
    for (let i = 0; i < 10; i++) tally.add({ doc: `c${i}`, cells: { title: cell(i < 2 ? ['T'] : null, 'layout not sampled: ...'), rating: cell(i % 2 ? ['5'] : null, 'layout not sampled: ...') } });
    const [title, rating] = tally.report();
    expect(title?.unsampledLayouts).toEqual({ documents: 10, coverage: 0.2 });
    expect(title?.warning).toBe('title has a value in 20% of documents of layouts the sample never covered, against 100% of the sample documents');
    expect(rating?.warning).toBeUndefined();
  });
});

describe.skipIf(!haveBooks)('a folder mixing the demo sites and booksamillion pages', () => {
  it('gets a sample that covers every layout', async () => {
    const folder = join(work, 'demo-and-books');
    await cp(join(demo, 'docs'), join(folder, 'demo'), { recursive: true, filter: (source) => !source.includes('records') });
    const pages = (await readdir(books)).filter((file) => file.endsWith('.htm')).slice(0, 300);
    await mkdir(join(folder, 'books'), { recursive: true });
    for (const page of pages) await cp(join(books, page), join(folder, 'books', page));
    const result = await runExtraction({ documents: folder, attributes: ['title'], model: null, runDir: join(work, 'mix-books') });
    const sample = (await readArtifact(result.runDir, 'sample'))!;
    const groups = new Set(sample.map((id) => (id.startsWith('books/') ? 'books' : id.split('/')[1])));
    expect([...groups].sort()).toEqual(['books', 'site-a', 'site-b', 'site-c']);
  }, 120_000);
});
