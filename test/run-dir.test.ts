/**
 * The run directory as a contract: every artifact fits its one schema, a damaged one is named and recomputed,
 * a changed setting recomputes exactly the stages it affects (across processes, through stages.json), spend
 * survives a stop, and batch rounds count each request once.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelSettings, type ModelSettings } from '../src/model/index.ts';
import type { PipelineEvent } from '../src/pipeline/events.ts';
import { runExtraction, type ExtractResult } from '../src/pipeline/extract.ts';
import { BatchPendingError } from '../src/pipeline/context.ts';
import { loadReportData } from '../src/report/load.ts';
import { ARTIFACTS, ArtifactError, parseArtifact, parseProgram, ProgramError, readArtifact, readProgram, writeArtifact, type ArtifactKey } from '../src/run/index.ts';
import { answerBatchFile } from './support/batch-answerer.ts';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server.ts';
import { loadDemoModel, type DemoModel } from './support/scripted-model.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
const docs = join(demo, 'docs');
const attributes = ['title', 'director', 'runtime'];

let work: string;
let model: DemoModel;
let server: LoopbackServer;
let settings: ModelSettings;
let base: ExtractResult;

const run = (runDir: string, extra: Partial<Parameters<typeof runExtraction>[0]> = {}) =>
  runExtraction({ documents: docs, attributes, model: settings, runDir, sampleSize: 4, functionsPerAttribute: 4, ...extra });

/** Which stages ran ('start') and which were read back ('resumed'). */
function stageLog(): { events: PipelineEvent[]; onEvent: (event: PipelineEvent) => void; started: () => string[]; resumed: () => string[] } {
  const events: PipelineEvent[] = [];
  const of = (status: string) => events.flatMap((event) => (event.type === 'stage' && event.status === status ? [event.stage] : []));
  return { events, onEvent: (event) => events.push(event), started: () => of('start'), resumed: () => of('resumed') };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-run-dir-'));
  model = await loadDemoModel(demo);
  server = await startLoopbackServer(model.handler);
  settings = resolveModelSettings({ model: 'scripted', baseURL: server.url, maxRetries: 0 }, {}) as ModelSettings;
  base = await run(join(work, 'base'));
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('artifacts', () => {
  it('each one written by a real run fits its schema and round-trips unchanged', async () => {
    const present = (await readdir(base.runDir)).filter((file) => file.endsWith('.json'));
    const keys = (Object.keys(ARTIFACTS) as ArtifactKey[]).filter((key) => present.includes(ARTIFACTS[key].file));
    // Every JSON file of the run is a declared artifact (nothing written outside the registry), evaluation aside (bench writes it).
    expect(keys.map((key) => ARTIFACTS[key].file).sort()).toEqual(present.sort());
    expect(keys).toEqual(expect.arrayContaining(['run', 'documents', 'sample', 'schema', 'pseudoLabels', 'candidates', 'sampleVotes', 'scores', 'program', 'usage', 'summary', 'stages']));
    for (const key of keys) {
      const text = await readFile(join(base.runDir, ARTIFACTS[key].file), 'utf8');
      const value = parseArtifact(key, text);
      const copy = join(work, 'roundtrip');
      await writeArtifact(copy, key, value as never);
      expect(await readArtifact(copy, key)).toEqual(value);
    }
  });

  it('run.json records the resolved settings, defaults included', async () => {
    const saved = await readArtifact(base.runDir, 'run');
    expect(saved).toMatchObject({ method: 'code+', synth: 'both', aggregation: 'ws', topK: 10, minF1: 0.5, chunkChars: 3000, timeoutMs: 100, sampleSize: 4 });
  });

  it('a hand-broken artifact is a clear error naming the file and the field', async () => {
    const dir = join(work, 'broken');
    await writeArtifact(dir, 'scores', (await readArtifact(base.runDir, 'scores'))!);
    const scores = JSON.parse(await readFile(join(dir, 'scores.json'), 'utf8'));
    scores.attributes.title.kept = 'title-1';
    await writeFile(join(dir, 'scores.json'), JSON.stringify(scores));
    const error = await readArtifact(dir, 'scores').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).message).toMatch(/scores\.json does not have the expected shape: attributes\.title\.kept: .*expected array/);
    await writeFile(join(dir, 'scores.json'), '{ "attributes": ');
    await expect(readArtifact(dir, 'scores')).rejects.toThrow(/scores\.json is not valid JSON/);
  });
});

describe('resuming', () => {
  it('a damaged stage output is recomputed, saying so, with no model request', async () => {
    const runDir = join(work, 'damaged');
    const first = await run(runDir);
    await writeFile(join(runDir, 'candidates.json'), '{"candidates": 3}');
    const before = server.stats.requests;
    const log = stageLog();
    const again = await run(runDir, { onEvent: log.onEvent });
    expect(server.stats.requests).toBe(before);
    expect(log.events.some((event) => event.type === 'notice' && /candidates\.json does not have the expected shape.*recomputing/.test(event.message))).toBe(true);
    // Recomputed to the same content, so the stages built on it still match their digests and are read back.
    expect(log.started()).toEqual(['synthesis', 'apply']);
    expect(log.resumed()).toEqual(['layouts', 'sample', 'schema', 'pseudo-labels', 'sample-votes', 'scoring']);
    expect(await readFile(again.tablePath, 'utf8')).toBe(await readFile(first.tablePath, 'utf8'));
  });

  it('a changed top-k recomputes scoring and what follows, keeps the rest, and sends no model request', async () => {
    const runDir = join(work, 'top-k');
    await run(runDir);
    const before = server.stats.requests;
    const log = stageLog();
    const retuned = await run(runDir, { topK: 2, onEvent: log.onEvent });
    expect(server.stats.requests).toBe(before);
    expect(log.resumed()).toEqual(['layouts', 'sample', 'schema', 'pseudo-labels', 'synthesis', 'sample-votes']);
    expect(log.started()).toEqual(['scoring', 'apply']);
    expect(log.events.some((event) => event.type === 'notice' && /Settings changed since this run last ran \(topK\)/.test(event.message))).toBe(true);
    for (const attribute of retuned.program!.attributes) expect(attribute.functions.length).toBeLessThanOrEqual(2);
    expect((await readArtifact(runDir, 'run'))?.topK).toBe(2);
    // And back: the saved stages now match the new setting, so a third process resumes everything up to apply.
    const third = stageLog();
    await run(runDir, { topK: 2, onEvent: third.onEvent });
    expect(third.started()).toEqual(['apply']);
  });

  it('a hand edit of an upstream artifact recomputes the stages built on it', async () => {
    const runDir = join(work, 'edited');
    await run(runDir);
    const scores = (await readArtifact(runDir, 'scores'))!;
    const kept = scores.attributes['title']!.kept;
    scores.attributes['title']!.kept = kept.slice(0, 1);
    await writeArtifact(runDir, 'scores', scores);
    const log = stageLog();
    const edited = await run(runDir, { onEvent: log.onEvent });
    expect(log.resumed()).toContain('scoring'); // the edit is kept, not overwritten
    expect(edited.program!.attributes.find((a) => a.name === 'title')!.functions.map((fn) => fn.id)).toEqual(kept.slice(0, 1));
  });

  it('a run stopped midway keeps its spend in usage.json', async () => {
    const runDir = join(work, 'stopped');
    const slow = await startLoopbackServer(model.handler, { latencyMs: 40 });
    try {
      const stop = new AbortController();
      let answered = 0;
      const slowSettings = resolveModelSettings({ model: 'scripted', baseURL: slow.url, maxRetries: 0, concurrency: 2 }, {}) as ModelSettings;
      const stopped = runExtraction({
        documents: docs, attributes, model: slowSettings, runDir, sampleSize: 4, functionsPerAttribute: 8, signal: stop.signal,
        onEvent: (event) => {
          if (event.type === 'model' && event.event.type === 'answered' && ++answered === 6) stop.abort();
        },
      });
      await expect(stopped).rejects.toThrow();
      const usage = await readArtifact(runDir, 'usage');
      expect(usage?.total.liveCalls).toBeGreaterThanOrEqual(6);
      expect(usage?.total.promptTokens).toBeGreaterThan(0);
    } finally {
      await slow.close();
    }
  });

  it('counts each request once across batch rounds', async () => {
    // The same run made live, in one process: its calls are what the batch rounds must add up to.
    const live = await run(join(work, 'batch-live'));
    const runDir = join(work, 'batch');
    let round = 0;
    let imports: string[] = [];
    for (;;) {
      round++;
      const exportFile = join(work, `batch-${round}.jsonl`);
      try {
        const result = await run(runDir, { batchExport: exportFile, batchImport: imports });
        expect(result.usage!.total.calls).toBe(live.usage!.total.calls);
        expect(result.usage!.total.pendingCalls).toBe(0);
        break;
      } catch (error) {
        if (!(error instanceof BatchPendingError)) throw error;
        expect(round).toBeLessThan(5);
        await answerBatchFile(exportFile, join(work, `answers-${round}.jsonl`), model.handler);
        imports = [join(work, `answers-${round}.jsonl`)];
      }
    }
    expect(round).toBeGreaterThan(1);
  });
});

describe('the report', () => {
  it('renders a run whose listing holds an unparseable skip', async () => {
    const runDir = join(work, 'unparseable');
    await run(runDir);
    const listing = (await readArtifact(runDir, 'documents'))!;
    listing.skipped.push({ id: 'broken.html', path: join(docs, 'broken.html'), reason: 'unparseable', detail: 'could not build the view: nesting too deep' });
    await writeArtifact(runDir, 'documents', listing);
    const { data } = await loadReportData(runDir);
    expect(data.run.skipped.map((skip) => skip.reason)).toContain('unparseable');
    expect(data.notes.join(' ')).not.toMatch(/documents\.json/);
  });
});

describe('bad input, early and clear', () => {
  it('refuses reserved and repeated attribute names before any work', async () => {
    await expect(runExtraction({ documents: docs, attributes: ['doc'], model: null, runDir: join(work, 'reserved') })).rejects.toThrow(/"doc" cannot be an attribute name/);
    await expect(runExtraction({ documents: docs, attributes: ['__proto__'], model: null, runDir: join(work, 'reserved') })).rejects.toThrow(/"__proto__" cannot be an attribute name/);
    await expect(runExtraction({ documents: docs, attributes: ['title', 'year', 'title'], model: null, runDir: join(work, 'reserved') })).rejects.toThrow(/"title" is named twice/);
    expect(() => parseProgram({ attributes: [{ name: 'a', functions: [] }, { name: 'a', functions: [] }] })).toThrow(ProgramError);
    expect(existsSync(join(work, 'reserved'))).toBe(false);
  });

  it('refuses an output it cannot write before anything is computed', async () => {
    const blocker = join(work, 'a-file');
    await writeFile(blocker, 'not a folder');
    await expect(runExtraction({ documents: docs, attributes: ['title'], model: null, runDir: join(work, 'unwritable'), out: join(blocker, 'table.csv') })).rejects.toThrow(/Cannot write the table to/);
    expect(existsSync(join(work, 'unwritable'))).toBe(false);
  });

  it('removes the partial files of a killed process when the run resumes', async () => {
    const runDir = join(work, 'leftovers');
    await runExtraction({ documents: docs, attributes: ['title'], model: null, runDir });
    const dead = 2 ** 22 + 12_345; // above Linux's default pid_max, so no live process has it
    await writeFile(join(runDir, `table.csv.${dead}.partial`), 'half a table');
    await writeFile(join(runDir, `scores.json.${dead}.0a1b2c3d.tmp`), '{"half":');
    await runExtraction({ documents: docs, attributes: ['title'], model: null, runDir });
    expect((await readdir(runDir)).filter((name) => name.endsWith('.partial') || name.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a program.json saved with a byte-order mark', async () => {
    const file = join(work, 'bom-program.json');
    await writeFile(file, `\uFEFF${JSON.stringify({ attributes: [{ name: 'title', functions: [{ id: 't', source: 'function extract(doc) { return doc.slice(0, 5) }' }] }] })}`);
    expect((await readProgram(file)).attributes[0]?.name).toBe('title');
  });
});
