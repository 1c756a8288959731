/**
 * Apply over a BullMQ queue on a real redis-server (issue 16): workers and a coordinator give the table a local apply
 * gives, through a worker killed with SIGKILL mid-shard, a Redis restart that loses the queue, a document that kills
 * its isolate, and a shard that fails on every attempt. Skips, saying why, when redis-server cannot be started.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../src/api/apply.ts';
import { extract } from '../src/api/extract.ts';
import { startWorker, type RunningWorker } from '../src/pipeline/queue/index.ts';
import type { Program } from '../src/run/index.ts';
import { startTestRedis, type TestRedis } from './support/redis.ts';

const root = resolve(import.meta.dirname, '..');
// A fitting sample smaller than the corpus, so shards run most documents and the coordinator's fitting rows are merged in.
const FIT = 20;
const bin = join(root, 'bin/evaporate.js');

let redis: TestRedis | null = null;
let work: string;
let corpus: string;
let program: Program;
let local: { table: string; cells: string };

beforeAll(async () => {
  redis = await startTestRedis();
  if (!redis) {
    console.warn('[queue] redis-server could not be started (apt-get install redis-server); the queue tests are skipped');
    return;
  }
  work = await mkdtemp(join(tmpdir(), 'evaporate-queue-'));
  corpus = join(work, 'docs');
  await cp(join(root, 'datasets/demo/docs'), corpus, { recursive: true });
  // A document that makes one function exhaust its isolate's memory: the sandbox must contain it.
  await writeFile(join(corpus, 'poison.html'), '<html><head><title>POISON</title></head><body><h1>POISON</h1></body></html>');
  const built = await extract({ documents: join(root, 'datasets/demo/docs'), attributes: ['title', 'director'], runDir: join(work, 'built'), report: false });
  if (!built.program) throw new Error('the built-in extract gave no program');
  const builtProgram: Program = built.program;
  const first = builtProgram.attributes[0] as Program['attributes'][number];
  program = {
    ...builtProgram,
    attributes: [
      {
        ...first,
        functions: [
          ...first.functions,
          // Slow enough that a shard takes about a second, so a kill lands mid-shard.
          { id: 'slow', source: 'function extract(doc) { var n = 0; for (var i = 0; i < 2e6; i++) n += i; return null; }' },
          { id: 'poison', source: "function extract(doc) { if (doc.indexOf('POISON') < 0) return null; var a = []; for (;;) a.push(new Array(1e6).fill(1)); }" },
        ],
      },
      ...builtProgram.attributes.slice(1),
    ],
  };
  // Without accuracies, so the coordinator fits the label model as a local apply does.
  program = { ...program, attributes: program.attributes.map((a) => ({ ...a, functions: a.functions.map(({ accuracy: _, ...fn }) => fn) })) };
  const reference = await apply({ program, documents: corpus, runDir: join(work, 'local'), report: false, isolates: 1, fitDocuments: FIT });
  local = { table: await readFile(reference.tablePath, 'utf8'), cells: await readFile(reference.cellsPath, 'utf8') };
}, 120_000);

afterAll(async () => {
  await redis?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const queued = (runDir: string, shardSize = 10, name = runDir.split('/').at(-1) as string) =>
  apply({ program, documents: corpus, runDir: join(work, runDir), report: false, fitDocuments: FIT, queue: { url: (redis as TestRedis).url, name, shardSize } });

const worker = (name: string, lockMs = 30_000) => startWorker({ url: (redis as TestRedis).url, name, isolates: 1, viewThreads: 1, lockMs });

function spawnWorker(name: string, lockMs: number) {
  const child = spawn(process.execPath, [bin, 'worker', '--queue', (redis as TestRedis).url, '--queue-name', name, '--isolates', '1', '--lock-ms', String(lockMs)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  return { child, log: () => log };
}

const until = async (condition: () => boolean | Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((done) => setTimeout(done, 50));
  }
};

describe('apply over the queue', () => {
  it('with two workers gives the table and cells of a local apply, in document order', async (context) => {
    if (!redis) return context.skip();
    const workers = await Promise.all([worker('two'), worker('two')]);
    try {
      const result = await queued('two');
      expect(result.failedShards).toEqual([]);
      expect(await readFile(result.tablePath, 'utf8')).toBe(local.table);
      expect(await readFile(result.cellsPath, 'utf8')).toBe(local.cells);
      // The poisoned document has its row: the isolate it killed was replaced, the shard completed.
      expect(local.table).toContain('poison.html');
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }, 120_000);

  it('loses and repeats no row when a worker is killed with SIGKILL mid-shard and another takes over', async (context) => {
    if (!redis) return context.skip();
    const doomed = spawnWorker('killed', 1000);
    let rescuer: RunningWorker | undefined;
    try {
      const run = queued('killed', 20);
      await until(() => /shard \d+ of run \w+ \(\d+ documents\)/.test(doomed.log()));
      doomed.child.kill('SIGKILL');
      rescuer = await worker('killed', 1000);
      const result = await run;
      expect(result.failedShards).toEqual([]);
      const table = await readFile(result.tablePath, 'utf8');
      expect(table).toBe(local.table);
      const docs = table.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
      expect(new Set(docs).size).toBe(docs.length);
    } finally {
      doomed.child.kill('SIGKILL');
      await rescuer?.close();
    }
  }, 120_000);

  it('recovers when Redis restarts empty mid-run: lost shards are queued again, finished ones kept', async (context) => {
    if (!redis) return context.skip();
    const running = await worker('restart', 2000);
    try {
      const notices: string[] = [];
      const run = apply({
        program, documents: corpus, runDir: join(work, 'restart'), report: false, fitDocuments: FIT,
        queue: { url: redis.url, name: 'restart', shardSize: 10 },
        onEvent: (event) => event.type === 'notice' && notices.push(event.message),
      });
      await until(async () => existsSync(join(work, 'restart/shards')) && (await readdir(join(work, 'restart/shards'))).length > 0);
      const results = join(work, 'restart/shards', (await readdir(join(work, 'restart/shards')))[0] as string);
      await until(async () => (await readdir(results)).some((file) => /^\d+\.json$/.test(file)));
      await redis.restart(500);
      const result = await run;
      expect(result.failedShards).toEqual([]);
      expect(await readFile(result.tablePath, 'utf8')).toBe(local.table);
      expect(notices.join('\n')).toMatch(/no longer on the queue|already have results/);
    } finally {
      await running.close();
    }
  }, 120_000);

  it('stops with a clear message when Redis cannot be reached, and a run on the same directory then resumes', async (context) => {
    if (!redis) return context.skip();
    const runDir = join(work, 'unreachable');
    const failure = await apply({ program, documents: corpus, runDir, report: false, fitDocuments: FIT, queue: { url: 'redis://127.0.0.1:1', name: 'unreachable', shardSize: 10 } }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1.*(redis-server|not answered)/);
    const running = await worker('unreachable');
    try {
      const result = await apply({ program, documents: corpus, runDir, report: false, fitDocuments: FIT, queue: { url: redis.url, name: 'unreachable', shardSize: 10 } });
      expect(await readFile(result.tablePath, 'utf8')).toBe(local.table);
    } finally {
      await running.close();
    }
  }, 120_000);

  it('reports a shard that fails on every attempt with its error, completes the rest, and retries only it on resume', async (context) => {
    if (!redis) return context.skip();
    const runDir = join(work, 'failing');
    const run = queued('failing');
    // Before any worker runs: block shard 2's summary file with a folder, a disk fault no retry can get past.
    await until(async () => existsSync(join(runDir, 'shards')) && (await readdir(join(runDir, 'shards'))).length > 0);
    const results = join(runDir, 'shards', (await readdir(join(runDir, 'shards')))[0] as string);
    await mkdir(join(results, '000002.json', 'blocked'), { recursive: true });
    const running = await worker('failing');
    try {
      const result = await run;
      expect(result.failedShards?.map((shard) => [shard.index, shard.documents])).toEqual([[2, 10]]);
      expect(result.failedShards?.[0]?.error).toMatch(/EISDIR|directory|ENOTEMPTY|EEXIST/i);
      const lines = (await readFile(result.tablePath, 'utf8')).trim().split('\n');
      const expected = local.table.trim().split('\n');
      expect(lines).toEqual([...expected.slice(0, 21), ...expected.slice(31)]);
      await rm(join(results, '000002.json'), { recursive: true });
      const resumed = await queued('failing');
      expect(resumed.failedShards).toEqual([]);
      expect(await readFile(resumed.tablePath, 'utf8')).toBe(local.table);
    } finally {
      await running.close();
    }
  }, 120_000);

  it('runs extract --queue from the command line to the table of a local extract', async (context) => {
    if (!redis) return context.skip();
    const running = await worker('cli-extract');
    try {
      const runDir = join(work, 'cli-extract');
      const child = spawn(process.execPath, [bin, 'extract', join(root, 'datasets/demo/docs'), '--attributes', 'title,director', '--run-dir', runDir, '--no-report', '--quiet', '--queue', (redis as TestRedis).url, '--queue-name', 'cli-extract', '--shard-size', '25'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EVAPORATE_MODEL: '', OPENAI_BASE_URL: '' } });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((done) => child.on('close', done));
      expect(code, stderr).toBe(0);
      expect(await readFile(join(runDir, 'table.csv'), 'utf8')).toBe(await readFile(join(work, 'built/table.csv'), 'utf8'));
      expect((await readdir(join(runDir, 'shards'))).length).toBe(1);
    } finally {
      await running.close();
    }
  }, 120_000);
});
