import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { apply, discover, evaluate, extract, extractRows } from '../src/index.ts';

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
      seen.push(`${row.doc}=${JSON.stringify(row.values.total)}`);
    }
    expect(seen).toEqual(['a.txt=["12.50"]', 'b.txt=["99.00"]', 'c.txt=["7.25"]']);
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
