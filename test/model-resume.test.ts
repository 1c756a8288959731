import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server.ts';
import type { ModelRunArgs } from './support/model-run.ts';

const worker = path.resolve(import.meta.dirname, 'support/model-run.ts');
const COUNT = 40;

let dir: string;
let server: LoopbackServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evaporate-resume-'));
  server = await startLoopbackServer((r) => `answer to ${r.prompt}`, { latencyMs: 60 });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const chatRequests = (): number => server.stats.byPath['/v1/chat/completions'] ?? 0;

function startRun(args: ModelRunArgs): { exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; kill(): void } {
  const child = spawn(process.execPath, ['--no-node-snapshot', worker, JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) console.error(stderr);
      resolve({ code, signal });
    }),
  );
  return { exited, kill: () => child.kill('SIGKILL') };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function cachedPrompts(cacheDir: string): Promise<string[]> {
  const files = (await readdir(cacheDir, { recursive: true })).filter((f) => f.endsWith('.json'));
  // Every entry left by the killed process must be whole: JSON.parse throws on a partial one.
  const entries = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(cacheDir, f), 'utf8')) as { content: string }));
  return entries.map((e) => e.content.replace(/^answer to /, ''));
}

describe('a run killed midway and restarted', () => {
  it('does not resend completed calls, and ends with the result of an uninterrupted run', async () => {
    const cacheDir = path.join(dir, 'killed-cache');
    const outFile = path.join(dir, 'killed.json');
    const args: ModelRunArgs = { url: server.url, cacheDir, outFile, count: COUNT, concurrency: 4 };

    const first = startRun(args);
    await until(() => server.stats.completed >= 12, 20_000);
    first.kill();
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(existsSync(outFile)).toBe(false);

    const done = await cachedPrompts(cacheDir);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(COUNT);

    const sentBefore = chatRequests();
    const second = startRun(args);
    expect((await second.exited).code).toBe(0);
    const resent = server.stats.received.slice(sentBefore).map((body) => body.messages.at(-1)?.content);
    expect(resent).toHaveLength(COUNT - done.length);
    expect(resent.filter((prompt) => prompt !== undefined && done.includes(prompt))).toEqual([]);

    const resumed = JSON.parse(await readFile(outFile, 'utf8')) as { answers: string[]; usage: { cachedCalls: number; liveCalls: number } };
    expect(resumed.usage).toMatchObject({ cachedCalls: done.length, liveCalls: COUNT - done.length });

    const cleanOut = path.join(dir, 'clean.json');
    const clean = startRun({ ...args, cacheDir: path.join(dir, 'clean-cache'), outFile: cleanOut });
    expect((await clean.exited).code).toBe(0);
    const uninterrupted = JSON.parse(await readFile(cleanOut, 'utf8')) as { answers: string[] };
    expect(resumed.answers).toEqual(uninterrupted.answers);
    expect(resumed.answers[7]).toBe('answer to item 7');
  });
});
