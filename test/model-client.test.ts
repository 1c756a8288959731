import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, createModelClient, type ChatRequest, type ModelEvent, type ModelSettings } from '../src/model/index.ts';
import { createModelTally } from '../src/cli/progress.ts';
import { echoHandler, faultsThen, startLoopbackServer, truncated, type LoopbackHandler, type LoopbackServer } from './support/loopback-server.ts';

let cacheDir: string;
let server: LoopbackServer | undefined;

beforeEach(async () => {
  cacheDir = await mkdtemp(path.join(tmpdir(), 'evaporate-model-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(cacheDir, { recursive: true, force: true });
});

async function serve(handler: LoopbackHandler = echoHandler, options: Parameters<typeof startLoopbackServer>[1] = {}): Promise<LoopbackServer> {
  server = await startLoopbackServer(handler, options);
  return server;
}

/** Fast retries so fault tests take milliseconds, not seconds. */
const fast = (url: string, extra: Partial<ModelSettings> = {}): ModelSettings => ({
  model: 'loopback-model',
  baseURL: url,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 50,
  maxRetries: 3,
  ...extra,
});

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content }], ...extra });

describe('retries', () => {
  it('retries a 429 after the Retry-After the server asked for', async () => {
    const s = await serve(faultsThen([{ status: 429, retryAfter: 1 }]));
    const client = createModelClient(fast(s.url, { retryMaxDelayMs: 5_000 }), { cacheDir });
    const started = Date.now();
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: true, content: 'echo: hello', cached: false });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it.each([
    ['500', { status: 500 }],
    ['503', { status: 503 }],
    ['malformed JSON', { malformed: true as const }],
    ['dropped connection', { reset: true as const }],
  ])('retries after %s and then succeeds', async (_name, fault) => {
    const s = await serve(faultsThen([fault, fault]));
    const client = createModelClient(fast(s.url), { cacheDir });
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: true, content: 'echo: hello' });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(3);
    expect(client.usage().total).toMatchObject({ calls: 1, liveCalls: 1, attempts: 3, failedCalls: 0 });
  });

  it.each([
    ['429', { status: 429 }],
    ['500', { status: 500 }],
    ['malformed JSON', { malformed: true as const }],
    ['dropped connection', { reset: true as const }],
  ])('stops retrying %s at the limit and records the call as failed', async (_name, fault) => {
    const s = await serve(() => fault);
    const events: ModelEvent[] = [];
    const client = createModelClient(fast(s.url, { maxRetries: 2 }), { cacheDir, onEvent: (e) => events.push(e) });
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: false, kind: 'failed' });
    if (!outcome.ok) expect(outcome.error).toContain('gave up after 3 attempts');
    expect(s.stats.byPath['/v1/chat/completions']).toBe(3);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(client.usage().total).toMatchObject({ calls: 1, failedCalls: 1, liveCalls: 0, attempts: 3 });
  });

  it('does not retry a request the server rejects, and reports the status', async () => {
    const s = await serve(() => ({ status: 400, message: 'bad request' }));
    const client = createModelClient(fast(s.url), { cacheDir });
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: false, kind: 'failed', status: 400 });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);
  });

  it('times out a hung request, retries it, then gives up', async () => {
    const s = await serve(() => ({ hang: true }));
    const client = createModelClient(fast(s.url, { timeoutMs: 200, maxRetries: 1 }), { cacheDir });
    const started = Date.now();
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: false, kind: 'failed' });
    if (!outcome.ok) expect(outcome.error).toMatch(/timed out/);
    expect(s.stats.byPath['/v1/chat/completions']).toBe(2);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(client.inFlight()).toBe(0);
  });

  it('keeps a truncated reply as an answer, marked by its finish reason, without retrying', async () => {
    const s = await serve(() => truncated('function extract(doc) { return doc.sl'));
    const client = createModelClient(fast(s.url), { cacheDir });
    const outcome = await client.chat('stage', ask('write code', { maxTokens: 10 }));
    expect(outcome).toMatchObject({ ok: true, finishReason: 'length', content: 'function extract(doc) { return doc.sl' });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);
  });

  it('goes on with the other calls when one fails for good', async () => {
    const s = await serve((r) => (r.prompt === 'doomed' ? { status: 500 } : `ok ${r.prompt}`));
    const client = createModelClient(fast(s.url, { maxRetries: 1 }), { cacheDir });
    const outcomes = await Promise.all(['a', 'doomed', 'b'].map((p) => client.chat('stage', ask(p))));
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(client.usage().total).toMatchObject({ calls: 3, liveCalls: 2, failedCalls: 1 });
  });
});

describe('odd replies', () => {
  it('accepts a valid completion sent as text/html, once, and counts its tokens', async () => {
    const s = await serve(({ prompt }) => ({ content: `echo: ${prompt}`, contentType: 'text/html; charset=utf-8', usage: { promptTokens: 7, completionTokens: 3 } }));
    const client = createModelClient(fast(s.url), { cacheDir });
    expect(await client.chat('stage', ask('hello'))).toMatchObject({ ok: true, content: 'echo: hello' });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);
    expect(client.usage().total).toMatchObject({ calls: 1, liveCalls: 1, attempts: 1, promptTokens: 7, completionTokens: 3 });
  });

  it('refuses a reply too large to be an answer, without retrying or caching it', async () => {
    const s = await serve(() => 'x'.repeat(300_000));
    const client = createModelClient(fast(s.url), { cacheDir });
    const outcome = await client.chat('stage', ask('hello'));
    expect(outcome).toMatchObject({ ok: false, kind: 'failed', error: expect.stringMatching(/300000 characters, over the 200000 accepted/) });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);
    expect((await readdir(cacheDir, { recursive: true })).filter((file) => file.endsWith('.json'))).toEqual([]);
  });
});

describe('concurrency', () => {
  it('never has more requests in flight at the server than the limit, and reaches it', async () => {
    const s = await serve(echoHandler, { latencyMs: 40 });
    let maxSeenByClient = 0;
    const client = createModelClient(fast(s.url, { concurrency: 3 }), {
      cacheDir,
      onEvent: (e) => {
        if (e.type === 'attempt') maxSeenByClient = Math.max(maxSeenByClient, client.inFlight());
      },
    });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => client.chat(i % 2 ? 'odd' : 'even', ask(`q${i}`))));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(s.stats.maxInFlight).toBe(3);
    expect(maxSeenByClient).toBe(3);
    expect(client.inFlight()).toBe(0);
    expect(s.stats.byPath['/v1/chat/completions']).toBe(30);
  });

  it('the progress line\'s in-flight count never goes above the limit (a request leaves it when its answer arrives)', async () => {
    const s = await serve(echoHandler, { latencyMs: 5 });
    const tally = createModelTally();
    let most = 0;
    const client = createModelClient(fast(s.url, { concurrency: 2 }), {
      cacheDir,
      onEvent: (event) => {
        tally.add(event);
        most = Math.max(most, tally.inFlight.size);
      },
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.chat('stage', ask(`q${i}`))));
    expect(most).toBe(2);
    expect(tally.inFlight.size).toBe(0);
    expect(tally.answered).toBe(40);
  });

  it('sends identical concurrent calls once and counts the joiners as cached', async () => {
    const s = await serve(echoHandler, { latencyMs: 30 });
    const client = createModelClient(fast(s.url), { cacheDir });
    const outcomes = await Promise.all([1, 2, 3].map(() => client.chat('stage', ask('same'))));
    expect(outcomes.map((o) => o.ok && o.cached)).toEqual([false, true, true]);
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);
  });
});

describe('cache', () => {
  const listEntries = async (dir: string): Promise<string[]> =>
    (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f));

  it('answers a rerun from disk without sending anything', async () => {
    const s = await serve();
    const first = createModelClient(fast(s.url), { cacheDir });
    await Promise.all(['a', 'b'].map((p) => first.chat('stage', ask(p))));
    expect(await listEntries(cacheDir)).toHaveLength(2);

    const second = createModelClient(fast(s.url), { cacheDir });
    const outcome = await second.chat('stage', ask('a'));
    expect(outcome).toMatchObject({ ok: true, cached: true, content: 'echo: a' });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(2);
  });

  it('reads a shared cache on a miss, copies the answer into the run, and survives a shared folder it cannot write', async () => {
    const s = await serve();
    const shared = path.join(cacheDir, 'shared');
    const [runA, runB] = [path.join(cacheDir, 'run-a'), path.join(cacheDir, 'run-b')];
    await createModelClient(fast(s.url), { cacheDir: runA, sharedCacheDir: shared }).chat('stage', ask('a'));
    expect(await listEntries(shared)).toHaveLength(1);
    const other = createModelClient(fast(s.url), { cacheDir: runB, sharedCacheDir: shared });
    expect(await other.chat('stage', ask('a'))).toMatchObject({ ok: true, cached: true, content: 'echo: a' });
    expect(other.usage().total).toMatchObject({ liveCalls: 0, cachedCalls: 1 });
    expect(await listEntries(runB)).toHaveLength(1);
    expect(s.stats.byPath['/v1/chat/completions']).toBe(1);

    const blocked = path.join(cacheDir, 'a-file');
    await writeFile(blocked, 'not a folder');
    const unwritable = createModelClient(fast(s.url), { cacheDir: path.join(cacheDir, 'run-c'), sharedCacheDir: blocked });
    expect(await unwritable.chat('stage', ask('b'))).toMatchObject({ ok: true, cached: false, content: 'echo: b' });
    expect(await listEntries(path.join(cacheDir, 'run-c'))).toHaveLength(1);
  });

  it('keys on model and parameters, not only on messages', async () => {
    const s = await serve();
    const client = createModelClient(fast(s.url), { cacheDir });
    await client.chat('stage', ask('a', { temperature: 0 }));
    await client.chat('stage', ask('a', { temperature: 0.7 }));
    await client.chat('stage', ask('a', { temperature: 0, seed: 1 }));
    await client.chat('stage', ask('a', { temperature: 0 }));
    expect(s.stats.byPath['/v1/chat/completions']).toBe(3);
    expect(cacheKey('m1', ask('a'))).not.toBe(cacheKey('m2', ask('a')));
    expect(cacheKey('m1', ask('a', { stop: ['\n'] }))).not.toBe(cacheKey('m1', ask('a')));
  });

  it('ignores a corrupt entry, fetches again and repairs it', async () => {
    const s = await serve();
    const client = createModelClient(fast(s.url), { cacheDir });
    await client.chat('stage', ask('a'));
    const [entry] = await listEntries(cacheDir);
    expect(entry).toBeDefined();
    await writeFile(entry!, '{"version":1,"key":"trunc');

    const again = createModelClient(fast(s.url), { cacheDir });
    expect(await again.chat('stage', ask('a'))).toMatchObject({ ok: true, cached: false, content: 'echo: a' });
    expect(s.stats.byPath['/v1/chat/completions']).toBe(2);
    expect(JSON.parse(await readFile(entry!, 'utf8'))).toMatchObject({ content: 'echo: a', source: 'live' });
  });

  it('does not cache failures', async () => {
    const s = await serve(faultsThen([{ status: 400 }]));
    const client = createModelClient(fast(s.url), { cacheDir });
    expect((await client.chat('stage', ask('a'))).ok).toBe(false);
    expect(await client.chat('stage', ask('a'))).toMatchObject({ ok: true, cached: false });
  });
});

describe('usage and cost', () => {
  const priced: LoopbackHandler = (r) => ({ content: `answer ${r.prompt}`, usage: { promptTokens: 1_000, completionTokens: 200 } });

  it('reports actual tokens and cost per stage, and cached calls as cached on a rerun', async () => {
    const s = await serve(priced);
    const settings = fast(s.url, { model: 'gpt-4o-mini' });
    const first = createModelClient(settings, { cacheDir });
    await Promise.all([first.chat('schema', ask('a')), first.chat('synthesis', ask('b')), first.chat('synthesis', ask('c'))]);
    const report = first.usage();
    expect(report.price).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(report.stages['synthesis']).toMatchObject({ calls: 2, liveCalls: 2, promptTokens: 2_000, completionTokens: 400, cachedCalls: 0 });
    expect(report.total).toMatchObject({ calls: 3, promptTokens: 3_000, completionTokens: 600 });
    expect(report.total.costUsd).toBeCloseTo((3_000 * 0.15 + 600 * 0.6) / 1e6, 12);

    const rerun = createModelClient(settings, { cacheDir });
    await Promise.all([rerun.chat('schema', ask('a')), rerun.chat('synthesis', ask('b')), rerun.chat('synthesis', ask('new'))]);
    const again = rerun.usage().total;
    expect(again).toMatchObject({ calls: 3, liveCalls: 1, cachedCalls: 2, promptTokens: 1_000, completionTokens: 200 });
    expect(again).toMatchObject({ cachedPromptTokens: 2_000, cachedCompletionTokens: 400 });
    expect(again.costUsd).toBeCloseTo((1_000 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(again.cachedCostUsd).toBeCloseTo((2_000 * 0.15 + 400 * 0.6) / 1e6, 12);
  });

  it('reports cost as unknown for an unpriced model, tokens still counted', async () => {
    const s = await serve(priced);
    const client = createModelClient(fast(s.url, { model: 'llama3.1:8b' }), { cacheDir });
    await client.chat('stage', ask('a'));
    expect(client.usage().total).toMatchObject({ promptTokens: 1_000, costUsd: null });
  });

  it('uses a price table from the settings', async () => {
    const s = await serve(priced);
    const client = createModelClient(fast(s.url, { model: 'my-model', prices: { 'my-model': { inputPerMTok: 1, outputPerMTok: 2 } } }), { cacheDir });
    await client.chat('stage', ask('a'));
    expect(client.usage().total.costUsd).toBeCloseTo((1_000 * 1 + 200 * 2) / 1e6, 12);
  });
});
