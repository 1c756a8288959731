/**
 * Defects a capable model hides and a weaker one exposes: over-capturing functions scored as exact, truncated
 * direct answers taken as answers, the label model fitted on a biased slice, a best-of-bad function kept, and a
 * minimal program fitted instead of voted. The noisy profile of the scripted model plays the weaker model.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFromDocuments } from '../src/corpus/index.ts';
import { evaluateFiles } from '../src/eval/index.ts';
import { resolveModelSettings, type ModelSettings } from '../src/model/index.ts';
import { applyProgram } from '../src/pipeline/apply-program.ts';
import { runExtraction, type ExtractResult } from '../src/pipeline/extract.ts';
import { buildProgram } from '../src/pipeline/stages/program.ts';
import { scoreCandidates } from '../src/pipeline/stages/score.ts';
import { readArtifact, type Program, type ResultRow } from '../src/run/index.ts';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server.ts';
import { loadDemoModel } from './support/scripted-model.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
const attributes = ['title', 'director', 'release_date', 'runtime', 'genres', 'rating'];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-quality-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('with a noisy model', () => {
  let server: LoopbackServer;
  let result: ExtractResult;

  beforeAll(async () => {
    const noisy = await loadDemoModel(demo, { noisy: { seed: 7 } });
    server = await startLoopbackServer(noisy.handler);
    const settings = resolveModelSettings({ model: 'scripted', baseURL: server.url, maxRetries: 0 }, {}) as ModelSettings;
    result = await runExtraction({ documents: join(demo, 'docs'), attributes, model: settings, synth: 'model', runDir: join(work, 'noisy'), seed: 2, functionsPerAttribute: 12 });
  }, 120_000);
  afterAll(() => server.close());

  it('splits and re-asks a direct answer cut at the token limit, and counts the cut replies', async () => {
    expect(result.usage!.stages['pseudo-labels']!.truncatedCalls).toBeGreaterThan(0);
    const pseudo = (await readArtifact(result.runDir, 'pseudoLabels'))!;
    const sample = (await readArtifact(result.runDir, 'sample'))!;
    // Every sample document has an answer (a value or "none") for every attribute: no group was lost to a cut reply.
    for (const attribute of attributes) expect(Object.keys(pseudo[attribute] ?? {}).sort()).toEqual([...sample].sort());
  });

  it('leaves a column no function could fill empty, with the reason in the summary and cells.jsonl', async () => {
    // The demo states no box office: the model finds none and its functions return nothing, so none can be kept.
    const settings = resolveModelSettings({ model: 'scripted', baseURL: server.url, maxRetries: 0 }, {}) as ModelSettings;
    const strict = await runExtraction({ documents: join(demo, 'docs'), attributes: ['title', 'box_office'], model: settings, synth: 'model', runDir: join(work, 'noisy-strict'), seed: 2, functionsPerAttribute: 4 });
    const summary = (await readArtifact(strict.runDir, 'summary'))!;
    const empty = summary.attributes.find((attribute) => attribute.name === 'box_office')!;
    expect(empty.note).toMatch(/no function reached F1 0\.50 on the sample/);
    expect(empty.functionsKept).toBe(0);
    expect(empty.coverage).toBe(0);
    const rows = (await readFile(strict.cellsPath, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as ResultRow);
    for (const row of rows) expect(row.cells['box_office']).toMatchObject({ value: null, confidence: 0, note: empty.note });
    expect(summary.attributes.find((attribute) => attribute.name === 'title')!.functionsKept).toBeGreaterThan(0);
  });

  it('scores over-capturing functions below exact ones, so they never outrank them', async () => {
    const candidates = (await readArtifact(result.runDir, 'candidates'))!;
    const scores = (await readArtifact(result.runDir, 'scores'))!;
    const overCapturing = new Set(candidates.candidates.filter((c) => c.source.includes('function exact(')).map((c) => c.id));
    expect(overCapturing.size).toBeGreaterThan(0);
    let judged = 0;
    for (const attribute of attributes) {
      const entry = scores.attributes[attribute]!;
      for (const score of entry.scores.filter((s) => overCapturing.has(s.id) && s.voted > 0 && s.coverage > 0)) {
        // The prefix rule scored these 1.0 whenever the label was a prefix of what they return.
        expect(score.f1, score.id).toBeLessThan(0.9);
        judged++;
      }
      // In the kept order, an over-capturing function comes after every exact one that is right as often.
      const kept = entry.kept.map((id) => entry.scores.find((s) => s.id === id)!);
      kept.forEach((score, i) => {
        if (!overCapturing.has(score.id)) return;
        for (const later of kept.slice(i + 1)) if (!overCapturing.has(later.id)) expect((later.hits ?? []).length, `${later.id} after ${score.id}`).toBeLessThan((score.hits ?? []).length);
      });
    }
    expect(judged).toBeGreaterThan(0);
  });
});

/** A text corpus: `count` documents, the first `groupA` of them (by id) of one template. */
function twoTemplateCorpus(count: number, groupA: number) {
  return corpusFromDocuments(
    Array.from({ length: count }, (_, i) => ({
      id: `${i < groupA ? 'a' : 'b'}-${String(i).padStart(3, '0')}.txt`,
      content: `${i < groupA ? 'Template A' : 'Template B'}\nCode: V${i}\n`,
      format: 'text' as const,
    })),
  );
}

const readCode = (name: string) => ({ id: name, source: "function extract(doc) { var m = doc.match(/Code: (\\S+)/); return m ? m[1] : null; }" });

describe('applying a program', () => {
  it('fits the label model on documents spread over the corpus, not the first ones by id', async () => {
    // right-on-A is right on template A only (the first 20 of 100 ids) and says "junk" on B.
    const program: Program = {
      method: 'ws',
      now: 0,
      attributes: [
        {
          name: 'code',
          abstainOnEmpty: true,
          functions: [
            readCode('good-1'),
            { id: 'good-2', source: "function extract(doc) { var at = doc.indexOf('Code: '); return at < 0 ? null : doc.slice(at + 6).split('\\n')[0]; }" },
            readCode('good-3'),
            { id: 'right-on-a', source: "function extract(doc) { if (doc.indexOf('Template A') < 0) return 'junk'; var m = doc.match(/Code: (\\S+)/); return m ? m[1] : null; }" },
          ],
        },
      ],
    };
    const rows: ResultRow[] = [];
    const applied = await applyProgram(program, twoTemplateCorpus(100, 20), (row) => void rows.push(row), { fitDocuments: 20, isolates: 1 });
    const accuracy = Object.fromEntries(applied.program.attributes[0]!.functions.map((fn) => [fn.id, fn.accuracy]));
    // Fitted on the first 20 ids, right-on-a would look perfect; spread over the corpus it is right a fifth of the time.
    expect(accuracy['right-on-a']).toBeLessThan(0.6);
    expect(accuracy['good-1']).toBeGreaterThan(0.9);
    expect(rows.map((row) => row.doc)).toEqual([...rows.map((row) => row.doc)].sort());
    expect(rows.every((row) => row.cells['code']!.value?.[0]?.startsWith('V'))).toBe(true);
  });

  it('streams rows once the label model is fitted on its sample, each document run once', async () => {
    const program: Program = {
      method: 'ws',
      now: 0,
      attributes: [{ name: 'code', abstainOnEmpty: true, functions: [readCode('a'), readCode('b'), { id: 'c', source: "function extract() { return 'other'; }" }] }],
    };
    let applied = 0;
    const appliedAtRow: number[] = [];
    const rows: ResultRow[] = [];
    const corpus = twoTemplateCorpus(100, 50);
    const summary = await applyProgram(program, corpus, (row) => void (rows.push(row), appliedAtRow.push(applied)), {
      fitDocuments: 20,
      isolates: 1,
      onDocument: (done) => void (applied = done),
    });
    expect(applied).toBe(100);
    expect(summary.counters.documents).toBe(100);
    // The first row leaves after the 20 fitting documents and a few more, long before the last document ran.
    expect(appliedAtRow[0]).toBeLessThan(60);
    expect(rows.map((row) => row.doc)).toEqual(corpus.documents.map((ref) => ref.id));
  });

  it('takes a majority vote for a program of names and sources only', async () => {
    const program: Program = {
      attributes: [
        {
          name: 'code',
          functions: [readCode('a'), readCode('b'), { id: 'c', source: "function extract() { return 'other'; }" }],
        },
      ],
    };
    const rows: ResultRow[] = [];
    const applied = await applyProgram(program, twoTemplateCorpus(6, 3), (row) => void rows.push(row), { isolates: 1 });
    for (const row of rows) {
      const cell = row.cells['code']!;
      expect(cell.value?.[0]).toMatch(/^V\d$/);
      expect(cell.confidence).toBeCloseTo(2 / 3, 3); // the vote share: nothing was fitted
    }
    expect(applied.program.attributes[0]!.functions.every((fn) => fn.accuracy === undefined)).toBe(true);
  });

  it('leaves a column empty, saying why, when no function reached the threshold on the sample', async () => {
    const votes = { code: { 'd1': { bad: { kind: 'value' as const, value: ['nope'] } }, 'd2': { bad: { kind: 'value' as const, value: ['V2'] } } } };
    const pseudo = { code: { d1: ['V1'], d2: ['V3'] } };
    const candidates = { candidates: [{ id: 'bad', attribute: 'code', source: "function extract() { return 'nope'; }", origin: 'model' as const, strategy: 'test' }], failures: [], duplicates: 0 };
    const scores = scoreCandidates([{ name: 'code' }], candidates, { votes, rejected: [] }, pseudo, { minF1: 0.5, topK: 10 });
    expect(scores.attributes['code']!.kept).toEqual([]);
    const program = buildProgram([{ name: 'code' }], candidates, scores, { method: 'code+', aggregation: 'ws', startedAt: 0 });
    expect(program.attributes[0]!.note).toMatch(/no function reached F1 0\.50 on the sample/);
    const rows: ResultRow[] = [];
    await applyProgram(program, twoTemplateCorpus(2, 1), (row) => void rows.push(row), { isolates: 1 });
    for (const row of rows) expect(row.cells['code']).toMatchObject({ value: null, confidence: 0, note: expect.stringMatching(/column is left empty/) });
  });
});
