/**
 * Open IE discovery: the whole sample within a budget (not each document's first chunk), one column per fact
 * (synonyms merged, with aliases), and no two columns of the table repeating each other.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CorpusDocument } from '../src/corpus/index.ts';
import { readPredictedTable } from '../src/eval/index.ts';
import type { ChatRequest, ModelClient } from '../src/model/index.ts';
import { createUsageLedger } from '../src/model/index.ts';
import { runExtraction } from '../src/pipeline/extract.ts';
import { readArtifact } from '../src/run/index.ts';
import { discoverWithModel } from '../src/schema/model.ts';
import { comparable, mergeSynonyms } from '../src/schema/synonyms.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-discovery-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('synonyms', () => {
  it('compares dates as dates and other values as the metric normalizes them', () => {
    expect(comparable('1984-08-03')).toBe(comparable('August 3, 1984'));
    expect(comparable('Aug 3 1984')).toBe('date:1984-08-03');
    expect(comparable('  Tom &amp; Jerry ')).toBe(comparable('tom & jerry'));
    expect(comparable('1984')).not.toMatch(/^date:/);
  });

  it('merges names that differ by plural and values that agree, under the most common name', () => {
    const seen = (name: string, values: Record<string, string>) => ({ name, values: new Map(Object.entries(values)), examples: Object.values(values).slice(0, 3) });
    const merged = mergeSynonyms([
      seen('release_date', { a: 'July 29, 1957', b: 'May 1, 2001', c: 'June 2, 1999' }),
      seen('genres', { a: 'Drama', b: 'War' }),
      seen('date_published', { a: '1957-07-29', b: '2001-05-01' }),
      seen('genre', { c: 'Comedy' }),
      seen('runtime', { a: '110 min', b: '95 min' }),
      seen('country', { a: 'Japan', b: '95 min' }),
    ]);
    expect(merged.map((attribute) => [attribute.name, attribute.frequency, attribute.aliases ?? []])).toEqual([
      ['release_date', 3, ['date_published']],
      ['genres', 3, ['genre']],
      ['runtime', 2, []],
      ['country', 2, []],
    ]);
  });
});

describe('discovery with a model', () => {
  it('reads past a page-long navigation to the fields, within the budget it reports', async () => {
    const nav = Array.from({ length: 120 }, (_, i) => `<li><a href="/section/${i}">Section ${i}</a></li>`).join('\n');
    const doc: CorpusDocument = { id: 'page.html', path: '', format: 'html', bytes: 0, view: `<ul>\n${nav}\n</ul>\n<dl>\n<dt>Director:</dt> <dd>Ana Lima</dd>\n<p>Founded: 1901</p>\n</dl>` };
    const shown: string[] = [];
    const client: ModelClient = {
      chat: async (_stage: string, request: ChatRequest) => {
        const prompt = request.messages[0]!.content;
        shown.push(prompt);
        const content = prompt.includes('Director:') ? 'director: Ana Lima\nfounded: 1901' : 'section: Section 1';
        return { ok: true, content, cached: false, usage: { promptTokens: 1, completionTokens: 1 } };
      },
      usage: () => createUsageLedger('test').report(),
      pending: () => [],
      inFlight: () => 0,
    };
    const found = await discoverWithModel([doc], client, { rerank: false, chunkChars: 1000, budgetChars: 3000 });
    expect(found.attributes.map((attribute) => attribute.name)).toEqual(expect.arrayContaining(['director', 'founded']));
    expect(found.chunks).toBeGreaterThan(0);
    expect(found.chars).toBeLessThanOrEqual(3000);
    expect(shown.some((prompt) => prompt.includes('Director:'))).toBe(true);
    // The first chunk is navigation only: a first-chunk discoverer would have shown nothing else.
    expect(shown.every((prompt) => !prompt.includes('Section 0</a>') || prompt.includes('Director:'))).toBe(true);
  });
});

describe('open IE on the demo corpus (built-in)', () => {
  it('makes no two columns with the same values, and keeps the merged labels as aliases', async () => {
    const runDir = join(work, 'open');
    const result = await runExtraction({ documents: join(demo, 'docs'), model: null, runDir });
    const table = await readPredictedTable(result.tablePath);
    const columns = result.attributes.map((attribute) => attribute.name);
    for (let i = 0; i < columns.length; i++) {
      for (let j = i + 1; j < columns.length; j++) {
        const [a, b] = [columns[i]!, columns[j]!];
        const both = [...table.values()].filter((row) => row[a] && row[b]);
        const same = both.filter((row) => row[a]!.join('; ').toLowerCase() === row[b]!.join('; ').toLowerCase()).length;
        expect(both.length < 3 || same / both.length < 0.6, `${a} and ${b}: ${same} of ${both.length} the same`).toBe(true);
      }
    }
    const schema = (await readArtifact(runDir, 'schema'))!;
    expect(schema.find((attribute) => attribute.name === 'release_date')?.aliases).toEqual(expect.arrayContaining(['released']));
    const scores = (await readArtifact(runDir, 'scores'))!;
    const merged = Object.entries(scores.attributes).filter(([, entry]) => entry.mergedInto !== undefined);
    for (const [name] of merged) expect(columns).not.toContain(name);
    expect((await readFile(result.tablePath, 'utf8')).split('\n')[0]).toBe(['doc', ...columns].join(','));
  }, 60_000);
});
