import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-build-'));
  // The published package runs from dist/: build it as `npm run build` does.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
}, 120_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('the build in dist/', () => {
  it('exports the library API with type declarations', async () => {
    const api = await import(pathToFileURL(join(root, 'dist/index.js')).href);
    for (const name of ['extract', 'extractRows', 'discover', 'apply', 'evaluate']) expect(typeof api[name], name).toBe('function');
    expect(spawnSync('test', ['-f', join(root, 'dist/index.d.ts')]).status).toBe(0);
  });

  it('runs the CLI end to end, sandbox and prompts included', () => {
    const run = spawnSync(
      process.execPath,
      ['--no-node-snapshot', join(root, 'dist/cli/main.js'), 'extract', join(root, 'datasets/demo/docs'), '--attributes', 'title,runtime', '--run-dir', join(work, 'run'), '--no-report'],
      { encoding: 'utf8', env: { ...process.env, EVAPORATE_MODEL: '' } },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Extracted 80 rows x 2 attributes');
  }, 60_000);
});
