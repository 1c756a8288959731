/**
 * Incremental runs (issue 17, item 4): `extract <folder> --update <run-dir>` on a folder that grew, changed and lost
 * documents runs only the new and changed ones, with the run's program, and writes the table a fresh apply writes.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '../src/api/apply.ts';
import { extract } from '../src/api/extract.ts';
import { update } from '../src/api/update.ts';

const root = resolve(import.meta.dirname, '..');
let work: string;
let folder: string;
let held: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-update-'));
  folder = join(work, 'docs');
  await cp(join(root, 'datasets/demo/docs'), folder, { recursive: true });
  // Eight site-b pages are held back: they arrive later, as a folder grows.
  const siteB = (await readdir(join(folder, 'site-b'))).sort();
  held = siteB.slice(0, 8);
  await cp(join(folder, 'site-b'), join(work, 'held'), { recursive: true });
  for (const name of held) await rm(join(folder, 'site-b', name));
  await extract({ documents: folder, attributes: ['title', 'director', 'runtime'], runDir: join(work, 'run'), report: false });
}, 120_000);

afterAll(() => rm(work, { recursive: true, force: true }));

describe('extract --update', () => {
  it('runs only new and changed documents, drops removed ones, and writes the table a fresh apply writes', async () => {
    for (const name of held) await cp(join(work, 'held', name), join(folder, 'site-b', name));
    const records = (await readdir(join(folder, 'records'))).sort();
    await appendFile(join(folder, 'records', records[0] as string), '\nRuntime: 999 min\n');
    await rm(join(folder, 'records', records[1] as string));
    await rm(join(folder, 'records', records[2] as string));

    const result = await update({ documents: folder, runDir: join(work, 'run'), report: false });
    expect([result.added, result.changed, result.removed, result.unchanged]).toEqual([8, 1, 2, 69]);
    expect(result.counters.documents).toBe(9);
    const fresh = await apply({ program: join(work, 'run/program.json'), documents: folder, runDir: join(work, 'fresh'), report: false });
    expect(await readFile(result.tablePath, 'utf8')).toBe(await readFile(fresh.tablePath, 'utf8'));
    expect(await readFile(result.cellsPath, 'utf8')).toBe(await readFile(fresh.cellsPath, 'utf8'));

    // Nothing changed since: nothing runs, and the table stays as it is.
    const again = await update({ documents: folder, runDir: join(work, 'run'), report: false });
    expect([again.added, again.changed, again.removed, again.unchanged, again.counters.documents]).toEqual([0, 0, 0, 78, 0]);
    expect(await readFile(again.tablePath, 'utf8')).toBe(await readFile(fresh.tablePath, 'utf8'));
  }, 120_000);

  it('refuses, saying what to do, a run that records no content digests', async () => {
    const old = join(work, 'old-run');
    await cp(join(work, 'run'), old, { recursive: true });
    const listing = JSON.parse(await readFile(join(old, 'documents.json'), 'utf8'));
    delete listing.hashes;
    await writeFile(join(old, 'documents.json'), JSON.stringify(listing));
    await expect(update({ documents: folder, runDir: old, report: false })).rejects.toThrow(/records no content digests.*run evaporate extract/);
  });
});
