import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/index.ts';
import type { DocumentOutcomes, ExtractorSource, SandboxDocument } from '../src/sandbox/index.ts';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'evaporate-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const functions: ExtractorSource[] = [
  { id: 'first', source: 'function extract(doc) { return doc.split(" ")[0] }' },
  // Some work per call (the sandbox's clock is pinned, so by count), so that a run lasts long enough to be cut.
  { id: 'busy', source: 'function extract(doc) { let n = 0; for (let i = 0; i < 300000; i++) n += i % 7; return n > 0 ? doc.slice(-3) : null }' },
];
const corpus = (n: number, mark?: number): SandboxDocument[] =>
  Array.from({ length: n }, (_, i) => ({ id: `d${i}`, view: `${i === mark ? 'POISON' : 'word'}${i} body text ${i}`, format: 'text' }));

async function collect(rows: AsyncIterable<DocumentOutcomes>, each?: (n: number) => void): Promise<DocumentOutcomes[]> {
  const out: DocumentOutcomes[] = [];
  for await (const row of rows) {
    out.push(row);
    each?.(out.length);
  }
  return out;
}

/** The sandbox hosts started by this test process (the isolates live there). */
function hostPids(): number[] {
  const list = spawnSync('pgrep', ['-P', String(process.pid), '-f', 'sandbox/host']);
  return list.stdout.toString().split('\n').filter(Boolean).map(Number);
}

describe('the sandbox host process', () => {
  it('is replaced when it dies mid-run: every document once, in order, with the outcomes of a clean run', async () => {
    const docs = corpus(400);
    const clean = await createSandbox(functions, { isolates: 2 });
    const expected = await collect(clean.run(docs));
    await clean.close();

    const sandbox = await createSandbox(functions, { isolates: 2 });
    const rows = await collect(sandbox.run(docs), (n) => {
      if (n === 20) for (const pid of hostPids()) process.kill(pid, 'SIGKILL');
    });
    expect(rows).toEqual(expected);
    expect(sandbox.counters().isolateRestarts).toBeGreaterThanOrEqual(1);
    expect(sandbox.counters().documents).toBeGreaterThanOrEqual(400);
    // It runs on after that, in its new host.
    expect(await collect(sandbox.run(docs.slice(0, 5)))).toEqual(expected.slice(0, 5));
    await sandbox.close();
    expect(hostPids()).toEqual([]);
  });

  it('gives up only on a document that takes the host down alone, and keeps the run going', async () => {
    process.env.EVAPORATE_SANDBOX_TEST_CRASH_ON = 'POISON';
    try {
      const sandbox = await createSandbox(functions, { isolates: 2 });
      const rows = await collect(sandbox.run(corpus(120, 77)));
      expect(rows.map((r) => r.docId)).toEqual(corpus(120).map((d) => d.id));
      expect(rows[77]!.outcomes).toEqual({
        first: { kind: 'error', error: 'crashed', message: 'the sandbox process crashed on this document, twice' },
        busy: { kind: 'error', error: 'crashed', message: 'the sandbox process crashed on this document, twice' },
      });
      expect(rows[76]!.outcomes.first).toEqual({ kind: 'value', value: ['word76'] });
      expect(rows[78]!.outcomes.busy).toEqual({ kind: 'value', value: ['78'] });
      expect(rows.filter((r) => r.outcomes.first?.kind === 'error')).toHaveLength(1);
      await sandbox.close();
    } finally {
      delete process.env.EVAPORATE_SANDBOX_TEST_CRASH_ON;
    }
  });

  it('serves a Node process started without any flag, which then exits by itself even if it never closes the sandbox', async () => {
    const script = join(scratch, 'plain.ts');
    writeFileSync(
      script,
      `import { createSandbox } from ${JSON.stringify(join(root, 'src/sandbox/index.ts'))};
const sandbox = await createSandbox([{ id: 'a', source: 'function extract(doc) { return doc.toUpperCase() }' }]);
for await (const row of sandbox.run([{ id: 'x', view: 'hello', format: 'text' }])) console.log(JSON.stringify(row.outcomes.a));
`,
    );
    // Hosts inherit the environment: the mark tells this script's hosts from those of test files running beside it.
    const mark = `plain-${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', EVAPORATE_TEST_MARK: mark } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.trim()).toBe('{"kind":"value","value":["HELLO"]}');
    const hosts = spawnSync('pgrep', ['-f', `${root}src/sandbox/host.ts`]).stdout.toString().split('\n').filter(Boolean).map(Number);
    const marked = (pid: number): boolean => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`EVAPORATE_TEST_MARK=${mark}`);
      } catch {
        return false; // gone since it was listed
      }
    };
    expect(hosts.filter(marked)).toEqual([]);
  }, 30_000);

  it('does not outlive its caller killed with SIGKILL mid-run', async () => {
    const script = join(scratch, 'killed.ts');
    writeFileSync(
      script,
      `import { createSandbox } from ${JSON.stringify(join(root, 'src/sandbox/index.ts'))};
const sandbox = await createSandbox([{ id: 'a', source: 'function extract(doc) { return doc }' }]);
async function* slow() { for (let i = 0; ; i++) { yield { id: 'd' + i, view: 'x' + i, format: 'text' }; await new Promise((r) => setTimeout(r, 50)); } }
for await (const row of sandbox.run(slow())) if (row.docId === 'd2') console.log('running');
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('running') && resolve()));
    const host = Number(spawnSync('pgrep', ['-P', String(child.pid), '-f', 'sandbox/host']).stdout.toString().trim());
    expect(host).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const alive = (): boolean => {
      try {
        process.kill(host, 0);
        return true;
      } catch {
        return false;
      }
    };
    const until = Date.now() + 10_000;
    while (alive() && Date.now() < until) await new Promise((wait) => setTimeout(wait, 50));
    expect(alive()).toBe(false);
  }, 30_000);
});
