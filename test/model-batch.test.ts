import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModelClient, importBatchOutput, writeBatchFile, type ChatRequest, type ModelClient } from '../src/model/index.ts';
import { answerBatchFile } from './support/batch-answerer.ts';
import { startLoopbackServer, type LoopbackHandler } from './support/loopback-server.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evaporate-batch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const handler: LoopbackHandler = (r) => ({ content: `value of ${r.prompt}`, usage: { promptTokens: 50, completionTokens: 5 } });
const requests: ChatRequest[] = ['title', 'year', 'director'].map((attribute) => ({
  messages: [
    { role: 'system', content: 'Extract the value.' },
    { role: 'user', content: attribute },
  ],
  temperature: 0,
  maxTokens: 64,
}));

/** A stage in miniature: ask every request, return the outcomes. */
const runStage = (client: ModelClient) => Promise.all([...requests, requests[0]!].map((r) => client.chat('direct', r)));

describe('batch mode', () => {
  it('export -> answer the file -> import -> the run completes with no live calls', async () => {
    const cacheDir = path.join(dir, 'cache');
    const server = await startLoopbackServer(handler);
    try {
      const settings = { model: 'gpt-4o-mini', baseURL: server.url };
      const batch = createModelClient(settings, { cacheDir, mode: 'batch' });
      const pendingOutcomes = await runStage(batch);
      expect(pendingOutcomes.every((o) => !o.ok && o.kind === 'pending')).toBe(true);
      expect(batch.usage().total).toMatchObject({ calls: 4, pendingCalls: 4, liveCalls: 0 });

      const lines = batch.pending();
      expect(lines).toHaveLength(3); // the repeated request is one line
      const input = path.join(dir, 'batch-input.jsonl');
      await writeBatchFile(input, lines);
      const first = JSON.parse((await readFile(input, 'utf8')).split('\n')[0]!) as Record<string, unknown>;
      expect(first).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', temperature: 0, max_tokens: 64 } });
      expect(first['custom_id']).toMatch(/^[0-9a-f]{64}$/);

      const output = path.join(dir, 'batch-output.jsonl');
      await answerBatchFile(input, output, handler);
      expect(await importBatchOutput(output, cacheDir)).toMatchObject({ imported: 3, failed: 0, unknown: 0 });

      const live = createModelClient(settings, { cacheDir });
      const outcomes = await runStage(live);
      expect(outcomes.map((o) => o.ok && o.content)).toEqual(['value of title', 'value of year', 'value of director', 'value of title']);
      expect(server.stats.requests).toBe(0);
      expect(live.usage().total).toMatchObject({ calls: 4, cachedCalls: 4, liveCalls: 0, promptTokens: 0, cachedPromptTokens: 200 });
    } finally {
      await server.close();
    }
  });

  it('counts failed and foreign lines on import and leaves those calls pending', async () => {
    const cacheDir = path.join(dir, 'cache');
    const batch = createModelClient({ model: 'm', baseURL: 'http://127.0.0.1:9/v1' }, { cacheDir, mode: 'batch' });
    await runStage(batch);
    const input = path.join(dir, 'in.jsonl');
    await writeBatchFile(input, batch.pending());

    const output = path.join(dir, 'out.jsonl');
    await answerBatchFile(input, output, (r) => (r.prompt === 'year' ? { status: 500, message: 'boom' } : r.prompt === 'director' ? { hang: true } : handler(r)));
    await appendFile(output, '{"custom_id":"request-1","response":null}\nnot json\n\n');
    const result = await importBatchOutput(output, cacheDir);
    expect(result).toMatchObject({ imported: 1, failed: 2, unknown: 2 });
    // Lines are answered concurrently, so the file's order (and the failures') is the order they finished in.
    expect(result.failures.map((f) => f.error).sort()).toEqual(['HTTP 500: boom', expect.stringContaining('batch_expired')]);

    const again = createModelClient({ model: 'm', baseURL: 'http://127.0.0.1:9/v1' }, { cacheDir, mode: 'batch' });
    const outcomes = await runStage(again);
    expect(outcomes.map((o) => (o.ok ? 'answered' : o.kind))).toEqual(['answered', 'pending', 'pending', 'answered']);
    expect(again.pending()).toHaveLength(2);
  });
});
