/**
 * Queue benchmark (issue 16): apply over BullMQ on a local redis-server with 1 and 2 worker processes against a local
 * apply of the same program and folder, side by side in one run (rounds interleaved; medians), the queue's own cost
 * per shard (a job whose work is nothing), the Redis commands a shard costs, and from those a projection for 10, 100
 * and 1,000 workers.
 *
 *   node --no-node-snapshot eval/bench-queue.ts [--folder F] [--program program.json] [--shard-size n] [--rounds n]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { runProgram } from '../src/pipeline/run-program.ts';
import { readProgram } from '../src/run/index.ts';
import { startTestRedis } from '../test/support/redis.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    folder: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/swde/book/book-booksamillion(2000)') },
    program: { type: 'string', default: path.resolve(repoRoot, 'eval/programs/builtin-booksamillion.json') },
    'shard-size': { type: 'string', default: '250' },
    rounds: { type: 'string', default: '3' },
    'null-jobs': { type: 'string', default: '500' },
  },
});
const shardSize = Number(args['shard-size']);
const rounds = Number(args.rounds);
const redis = await startTestRedis();
if (!redis) throw new Error('redis-server is needed (apt-get install redis-server)');
const work = await mkdtemp(path.join(os.tmpdir(), 'evaporate-bench-queue-'));
const program = await readProgram(args.program);
// Without accuracies, as a fresh program: the coordinator fits the label model, as a local apply does.
const unfitted = { ...program, attributes: program.attributes.map((a) => ({ ...a, functions: a.functions.map(({ accuracy: _, ...fn }) => fn) })) };
const bin = path.join(repoRoot, 'bin/evaporate.js');
const cores = os.availableParallelism();

const redisCommands = (): number => {
  const info = spawnSync('redis-cli', ['-p', String(redis.port), 'info', 'commandstats'], { encoding: 'utf8' }).stdout;
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
};

async function startWorkers(count: number, name: string): Promise<ChildProcess[]> {
  const isolates = String(Math.max(1, Math.floor(cores / count)));
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, [bin, 'worker', '--queue', redis!.url, '--queue-name', name, '--isolates', isolates], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  // Ready when each has said so.
  await Promise.all(children.map((child) => new Promise<void>((done) => child.stderr!.on('data', (chunk: Buffer) => String(chunk).includes('waiting for shards') && done()))));
  return children;
}

const stopWorkers = async (children: ChildProcess[]) =>
  Promise.all(children.map((child) => new Promise((done) => (child.once('exit', done), child.kill('SIGINT')))));

interface Measured { seconds: number; rows: number; shardSeconds?: number; shardRows?: number; shards?: number; commands?: number; fitSeconds?: number }

async function local(round: number): Promise<Measured> {
  const started = performance.now();
  const result = await runProgram({ program: unfitted, documents: args.folder, runDir: path.join(work, `local-${round}`) });
  return { seconds: (performance.now() - started) / 1000, rows: result.rows };
}

async function queued(workers: number, round: number): Promise<Measured> {
  const name = `bench-${workers}-${round}`;
  const children = await startWorkers(workers, name);
  const runDir = path.join(work, `queue-${workers}-${round}`);
  const before = redisCommands();
  const started = performance.now();
  let fitDone = 0;
  const result = await runProgram({
    program: unfitted, documents: args.folder, runDir, queue: { url: redis!.url, name, shardSize },
    onEvent: (event) => { if (event.type === 'progress' && fitDone === 0) fitDone = performance.now(); },
  });
  const seconds = (performance.now() - started) / 1000;
  const commands = redisCommands() - before;
  await stopWorkers(children);
  const resultsRoot = path.join(runDir, 'shards');
  const [run] = (await import('node:fs')).readdirSync(resultsRoot);
  let shardSeconds = 0;
  let shardRows = 0;
  let shards = 0;
  for (const file of (await import('node:fs')).readdirSync(path.join(resultsRoot, run!))) {
    if (!/^\d+\.json$/.test(file)) continue;
    const summary = JSON.parse(await readFile(path.join(resultsRoot, run!, file), 'utf8')) as { seconds: number; rows: number };
    shardSeconds += summary.seconds;
    shardRows += summary.rows;
    shards++;
  }
  return { seconds, rows: result.rows, shardSeconds, shardRows, shards, commands, fitSeconds: fitDone ? (fitDone - started) / 1000 : 0 };
}

/** The queue alone: jobs whose work is nothing, one worker, one at a time. */
async function nullJobs(count: number): Promise<{ msPerJob: number; commandsPerJob: number }> {
  const connection = { url: redis!.url, maxRetriesPerRequest: null };
  const queue = new Queue('null', { connection });
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = new Worker('null', async () => { if (++done === count) finished(); }, { connection, autorun: false });
  const before = redisCommands();
  await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'shard', data: { i }, opts: { jobId: `n-${i}`, removeOnComplete: true } })));
  const started = performance.now();
  void worker.run();
  await all;
  const ms = performance.now() - started;
  const commands = redisCommands() - before;
  await worker.close();
  await queue.close();
  return { msPerJob: ms / count, commandsPerJob: commands / count };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const runs: Record<string, Measured[]> = { local: [], 'queue 1 worker': [], 'queue 2 workers': [] };
for (let round = 0; round < rounds; round++) {
  runs.local!.push(await local(round));
  runs['queue 1 worker']!.push(await queued(1, round));
  runs['queue 2 workers']!.push(await queued(2, round));
  console.log(`round ${round + 1}: ${Object.entries(runs).map(([k, v]) => `${k} ${v.at(-1)!.seconds.toFixed(1)} s`).join(', ')}`);
}
const nulls = await nullJobs(Number(args['null-jobs']));
await redis.stop();
await rm(work, { recursive: true, force: true });

const docs = runs.local![0]!.rows;
const localRate = docs / median(runs.local!.map((m) => m.seconds));
const lines: string[] = [];
const say = (line = '') => { console.log(line); lines.push(line); };
say(`# Queue benchmark (issue 16)`);
say();
say(`Command: \`node --no-node-snapshot eval/bench-queue.ts --shard-size ${shardSize} --rounds ${rounds}\` (${process.version}, ${cores} cores, ${new Date().toISOString().slice(0, 10)}).`);
say(`Folder: ${path.basename(args.folder)} (${docs} documents); program: ${path.relative(repoRoot, args.program)} (${program.attributes.reduce((n, a) => n + a.functions.length, 0)} functions), accuracies stripped so every run fits the label model on the seeded sample first. Workers are \`evaporate worker\` processes with ${cores} / workers isolates each; Redis is a local redis-server without persistence. Rounds interleave local, 1 worker, 2 workers.`);
say();
say('| setting | median wall s | docs/s | vs local | coordinator fit s | shard work s (sum) | shards | Redis commands per shard |');
say('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [label, measured] of Object.entries(runs)) {
  const wall = median(measured.map((m) => m.seconds));
  const rate = docs / wall;
  const q = measured[0]!.shards !== undefined;
  say(`| ${label} | ${wall.toFixed(2)} | ${rate.toFixed(0)} | ${(rate / localRate).toFixed(2)}x | ${q ? median(measured.map((m) => m.fitSeconds ?? 0)).toFixed(2) : ''} | ${q ? median(measured.map((m) => m.shardSeconds ?? 0)).toFixed(2) : ''} | ${q ? measured[0]!.shards : ''} | ${q ? (median(measured.map((m) => (m.commands ?? 0) / (m.shards ?? 1)))).toFixed(0) : ''} |`);
}
const one = runs['queue 1 worker']!;
const shardWork = median(one.map((m) => (m.shardSeconds ?? 0) / (m.shards ?? 1)));
const perShardOverhead = median(one.map((m) => (m.seconds - (m.fitSeconds ?? 0) - (m.shardSeconds ?? 0)) / (m.shards ?? 1)));
const commandsPerShard = median(one.map((m) => (m.commands ?? 0) / (m.shards ?? 1)));
say();
const docsPerShard = (one[0]!.shardRows ?? 0) / (one[0]!.shards ?? 1);
say(`Shards hold ${shardSize} documents less those of the coordinator's fitting sample (500, whose rows it keeps): ${docsPerShard.toFixed(0)} on average here.`);
say(`Queue cost per shard, 1 worker: wall minus coordinator fit minus shard work, per shard: ${(perShardOverhead * 1000).toFixed(0)} ms (${((perShardOverhead / shardWork) * 100).toFixed(1)}% of a shard's ${shardWork.toFixed(2)} s of work; ${((perShardOverhead * 1000) / docsPerShard).toFixed(2)} ms per document). This includes the coordinator's 250 ms polling and reading the rows back, not only Redis.`);
say(`The queue alone (${args['null-jobs']} jobs that do nothing, one worker): ${nulls.msPerJob.toFixed(2)} ms and ${nulls.commandsPerJob.toFixed(1)} Redis commands per job.`);
say();
const redisOpsPerSecond = 100_000; // a single redis-server, small commands: the usual order of magnitude
const workerRate = docsPerShard / shardWork;
say(`Projection (per worker ${workerRate.toFixed(0)} docs/s as measured on one 2-core machine, ${shardSize}-document shards, ${commandsPerShard.toFixed(0)} Redis commands per shard from the runs above, Redis at ~${redisOpsPerSecond.toLocaleString('en')} commands/s): the Redis bound is ${((redisOpsPerSecond / commandsPerShard) * shardSize).toLocaleString('en', { maximumFractionDigits: 0 })} docs/s.`);
say();
say('| workers | docs/s from workers | Redis-bound docs/s | projected docs/s |');
say('|---:|---:|---:|---:|');
for (const workers of [10, 100, 1000]) {
  const fromWorkers = workers * workerRate;
  const bound = (redisOpsPerSecond / commandsPerShard) * shardSize; // for a corpus much larger than the fitting sample
  say(`| ${workers} | ${fromWorkers.toFixed(0)} | ${bound.toFixed(0)} | ${Math.min(fromWorkers, bound).toFixed(0)} |`);
}
say();
say('Not in the projection: the coordinator merges rows on one machine (reading each shard file once), and the shared filesystem serves every document to every worker; at hundreds of workers those, not Redis, are likely the bound.');
await mkdir(path.join(repoRoot, 'eval/results'), { recursive: true });
await writeFile(path.join(repoRoot, 'eval/results/queue.md'), `${lines.join('\n')}\n`);
