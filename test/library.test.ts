import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { apply, applyRows, discover, evaluate, extract, extractRows, type ResultCell } from '../src/index.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-library-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const film = z.object({
  title: z.string().min(1).describe('the film title'),
  release_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('the release date'),
  rating: z.number().min(0).max(10).describe('the audience rating out of 10'),
  genres: z.array(z.string()),
});

describe('library API', () => {
  it('extract with a zod schema gives typed, validated rows', async () => {
    const { rows, program, usage } = await extract({ documents: join(demo, 'docs'), attributes: film, model: null, runDir: join(work, 'zod') });
    expectTypeOf(rows[0]!.values.rating).toEqualTypeOf<number | null>();
    expectTypeOf(rows[0]!.values.genres).toEqualTypeOf<string[] | null>();
    expect(rows).toHaveLength(80);
    expect(usage).toBeNull();
    expect(program?.attributes.map((a) => a.name)).toEqual(['title', 'release_date', 'rating', 'genres']);
    expect(program?.attributes[0]?.description).toBe('the film title');

    const siteB = rows.find((row) => row.doc === 'site-b/film-021.html')!;
    expect(siteB.values.release_date).toBe('1980-07-07'); // ISO on site B: valid
    expect(siteB.values.rating).toBe(4.4); // "4.4" read as a number
    expect(siteB.values.genres).toEqual(['Fantasy', 'Animation']);
    const siteA = rows.find((row) => row.doc === 'site-a/film-001.html')!;
    expect(siteA.values.release_date).toBeNull(); // "March 12, 1999" fails the regex...
    expect(siteA.invalid.release_date).toMatch(/March 12, 1999/); // ...and the reason is kept
    expect(siteA.cells.release_date?.value).toEqual(['March 12, 1999']); // the raw cell stays available
    for (const row of rows) {
      if (row.values.rating !== null) expect(typeof row.values.rating).toBe('number');
    }
  });

  it('extractRows streams rows from in-memory documents', async () => {
    const documents = [
      { id: 'a.txt', content: 'Invoice INV-1\nTotal: 12.50\nDate: 2024-01-03' },
      { id: 'b.txt', content: 'Invoice INV-2\nTotal: 99.00\nDate: 2024-02-11' },
      { id: 'c.txt', content: 'Invoice INV-3\nTotal: 7.25\nDate: 2024-03-30' },
    ];
    const seen: string[] = [];
    for await (const row of extractRows({ documents, attributes: ['total', 'date'], model: null, runDir: join(work, 'stream') })) {
      // Names give their own keys: one value is a string, several an array.
      expectTypeOf(row.values).toEqualTypeOf<{ total: string | string[] | null; date: string | string[] | null }>();
      expectTypeOf(row.cells.total).toEqualTypeOf<ResultCell>();
      // @ts-expect-error not an attribute of this call
      void row.values.price;
      seen.push(`${row.doc}=${JSON.stringify(row.values.total)} ${row.cells.date.value?.join()}`);
    }
    expect(seen).toEqual(['a.txt="12.50" 2024-01-03', 'b.txt="99.00" 2024-02-11', 'c.txt="7.25" 2024-03-30']);
  });

  it('apply types its rows as extract does, and a schema from zod/mini (not this zod\'s classes) works too', async () => {
    const { result } = await extract({ documents: join(demo, 'docs'), attributes: [{ name: 'title' }, 'rating'], model: null, runDir: join(work, 'typed-apply'), report: false });
    const schema = zm.object({ title: zm.string(), rating: zm.number() });
    const rows = [];
    for await (const row of applyRows({ program: result.programPath!, documents: join(demo, 'docs'), attributes: schema, runDir: join(work, 'typed-applied'), report: false })) {
      expectTypeOf(row.values.rating).toEqualTypeOf<number | null>();
      rows.push(row);
    }
    expect(rows).toHaveLength(80);
    const rated = rows.filter((row) => row.values.rating !== null);
    expect(rated.length).toBeGreaterThan(40);
    for (const row of rated) expect(typeof row.values.rating).toBe('number');
    expect(rows.every((row) => row.values.title === null || typeof row.values.title === 'string')).toBe(true);
  });

  it('puts a run without runDir under the user\'s cache folder, not the working folder', async () => {
    const before = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(work, 'cache-home');
    try {
      const { result } = await extract({ documents: [{ id: 'a.txt', content: 'Total: 1.00' }, { id: 'b.txt', content: 'Total: 2.00' }], attributes: ['total'], model: null, report: false });
      expect(result.runDir.startsWith(join(work, 'cache-home', 'evaporate-ts', 'runs'))).toBe(true);
    } finally {
      if (before === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = before;
    }
  });

  it('discover, apply and evaluate are exported and work together', async () => {
    const found = await discover({ documents: join(demo, 'docs'), model: null });
    expect(found.attributes.length).toBeGreaterThan(2);
    const { result } = await extract({ documents: join(demo, 'docs'), attributes: ['title', 'runtime'], model: null, runDir: join(work, 'for-apply') });
    const applied = await apply({ program: result.programPath!, documents: join(demo, 'docs'), runDir: join(work, 'applied') });
    expect(applied.rows).toBe(80);
    const scored = await evaluate(applied.tablePath, demo, { attributes: ['title', 'runtime'] });
    expect(scored.report.averageF1).toBeGreaterThan(0.5);
  });

  it('rejects a model that cannot be reached with a typed error only when asked to use it', async () => {
    await expect(extract({ documents: join(demo, 'docs'), attributes: ['title'], model: { model: 'x' }, runDir: join(work, 'nokey') })).rejects.toThrow(/without a key/);
  });
});

describe('package', () => {
  it('takes zod as a peer dependency, so a caller\'s schemas and the library share one copy', async () => {
    const manifest = JSON.parse(await readFile(resolve(import.meta.dirname, '../package.json'), 'utf8'));
    expect(manifest.peerDependencies?.zod).toMatch(/^\^4/);
    expect(manifest.dependencies?.zod).toBeUndefined();
  });
});
