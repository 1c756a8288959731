/**
 * Model-layer throughput: 128 distinct requests against the loopback server with 300 ms latency
 * each, at concurrency 1, 8 and 32. Reports wall time and its ratio to the ideal
 * (requests x latency / concurrency); target: within 1.3x of ideal at concurrency 32. Also times a
 * rerun answered entirely from the cache. Writes eval/results/model.json and model.md.
 *
 *   node --no-node-snapshot eval/bench-model.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createModelClient, type ModelClient } from '../src/model/index.ts';
import { startLoopbackServer } from '../test/support/loopback-server.ts';

const REQUESTS = 128;
const LATENCY_MS = 300;
const CONCURRENCY = [1, 8, 32];
const TARGET_RATIO_AT_32 = 1.3;

interface Row {
  concurrency: number;
  wallMs: number;
  idealMs: number;
  ratio: number;
  serverMaxInFlight: number;
  requestsSent: number;
  failed: number;
  cachedRerunMs: number;
}

const runAll = async (client: ModelClient): Promise<{ ms: number; failed: number }> => {
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) =>
      client.chat('bench', { messages: [{ role: 'user', content: `request ${i}: extract the title` }], temperature: 0, maxTokens: 64 }),
    ),
  );
  return { ms: performance.now() - started, failed: outcomes.filter((o) => !o.ok).length };
};

async function measure(concurrency: number): Promise<Row> {
  const server = await startLoopbackServer((r) => `title for ${r.prompt}`, { latencyMs: LATENCY_MS });
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'evaporate-bench-model-'));
  try {
    const settings = { model: 'bench-model', baseURL: server.url, concurrency };
    const live = await runAll(createModelClient(settings, { cacheDir }));
    const sent = server.stats.byPath['/v1/chat/completions'] ?? 0;
    const rerun = await runAll(createModelClient(settings, { cacheDir }));
    const idealMs = (REQUESTS * LATENCY_MS) / concurrency;
    return {
      concurrency,
      wallMs: Math.round(live.ms),
      idealMs,
      ratio: Number((live.ms / idealMs).toFixed(3)),
      serverMaxInFlight: server.stats.maxInFlight,
      requestsSent: sent,
      failed: live.failed + rerun.failed,
      cachedRerunMs: Math.round(rerun.ms),
    };
  } finally {
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const concurrency of CONCURRENCY) {
  const row = await measure(concurrency);
  rows.push(row);
  console.log(
    `concurrency ${String(concurrency).padStart(2)}: ${row.wallMs} ms (ideal ${row.idealMs.toFixed(0)} ms, ratio ${row.ratio}), ` +
      `server max in flight ${row.serverMaxInFlight}, sent ${row.requestsSent}, failed ${row.failed}, cached rerun ${row.cachedRerunMs} ms`,
  );
}

const at32 = rows.find((r) => r.concurrency === 32);
const meetsTarget = at32 !== undefined && at32.ratio <= TARGET_RATIO_AT_32;
console.log(`target (ratio <= ${TARGET_RATIO_AT_32} at concurrency 32): ${meetsTarget ? 'met' : 'NOT met'}`);

const environment = { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}` };
const result = { benchmark: 'model-layer concurrency', requests: REQUESTS, latencyMs: LATENCY_MS, date: new Date().toISOString(), environment, rows, targetRatioAt32: TARGET_RATIO_AT_32, meetsTarget };
const resultsDir = path.resolve(import.meta.dirname, 'results');
await writeFile(path.join(resultsDir, 'model.json'), `${JSON.stringify(result, null, 2)}\n`);

const table = rows
  .map((r) => `| ${r.concurrency} | ${r.wallMs} | ${r.idealMs.toFixed(0)} | ${r.ratio} | ${r.serverMaxInFlight} | ${r.requestsSent} | ${r.cachedRerunMs} |`)
  .join('\n');
await writeFile(
  path.join(resultsDir, 'model.md'),
  `# Model layer: concurrency benchmark

${REQUESTS} distinct chat requests through \`createModelClient\` (real \`openai\` client) against the loopback
OpenAI-compatible server, which answers each after ${LATENCY_MS} ms. Ideal = requests x latency / concurrency.
"Cached rerun" repeats the same ${REQUESTS} requests with the same cache directory (no request is sent).

Command: \`node --no-node-snapshot eval/bench-model.ts\` (${environment.node}, ${environment.cpus} CPUs, ${result.date.slice(0, 10)})

| concurrency | wall ms | ideal ms | ratio | server max in flight | requests sent | cached rerun ms |
|---|---|---|---|---|---|---|
${table}

Target: ratio <= ${TARGET_RATIO_AT_32} at concurrency 32: **${meetsTarget ? 'met' : 'not met'}**.
`,
);
