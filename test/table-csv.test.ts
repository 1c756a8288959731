import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPredictedTable } from '../src/eval/index.ts';
import { createTableWriter, type ResultRow } from '../src/run/index.ts';
import { csvField } from '../src/text/csv-field.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaporate-csv-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const cell = (value: string[] | null) => ({ value, confidence: 1, voters: [], spans: [], candidates: [] });

describe('CSV output', () => {
  it('neutralises values a spreadsheet would run as formulas, and leaves numbers alone', () => {
    expect(csvField('=HYPERLINK("http://x","click")')).toBe(`"'=HYPERLINK(""http://x"",""click"")"`);
    expect(csvField('+1 555 0100 ext')).toBe("'+1 555 0100 ext");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-cmd|calc')).toBe("'-cmd|calc");
    expect(csvField('\tTAB')).toBe("'\tTAB");
    expect(csvField('-5.00')).toBe('-5.00');
    expect(csvField('+1,200')).toBe('"+1,200"');
    expect(csvField('Acme = best')).toBe('Acme = best');
  });

  it('reads its own neutralised values back as they were', async () => {
    const path = join(dir, 'table.csv');
    const writer = await createTableWriter(path, ['formula', 'amount']);
    const rows: ResultRow[] = [
      { doc: 'a.txt', cells: { formula: cell(['=1+2']), amount: cell(['-5.00']) } },
      { doc: '@b.txt', cells: { formula: cell(['@x', 'y']), amount: cell(null) } },
    ];
    for (const row of rows) await writer.write(row);
    await writer.close();
    expect(await readFile(path, 'utf8')).toContain("'=1+2");
    const table = await readPredictedTable(path);
    expect(table.get('a.txt')).toEqual({ formula: ['=1+2'], amount: ['-5.00'] });
    expect(table.get('@b.txt')).toEqual({ formula: ['@x', 'y'], amount: null });
  });
});

describe('JSON and JSONL output', () => {
  it('writes one value as a string and several as an array', async () => {
    for (const format of ['jsonl', 'json'] as const) {
      const path = join(dir, `table.${format}`);
      const writer = await createTableWriter(path, ['title', 'genres', 'year']);
      await writer.write({ doc: 'a.html', cells: { title: cell(['Alien']), genres: cell(['Horror', 'Sci-Fi']), year: cell(null) } });
      await writer.close();
      const text = await readFile(path, 'utf8');
      const record = format === 'jsonl' ? JSON.parse(text.trim()) : JSON.parse(text)[0];
      expect(record).toEqual({ doc: 'a.html', title: 'Alien', genres: ['Horror', 'Sci-Fi'], year: null });
      expect((await readPredictedTable(path)).get('a.html')).toEqual({ title: ['Alien'], genres: ['Horror', 'Sci-Fi'], year: null });
    }
  });
});

describe('a table stopped part way', () => {
  it('leaves no file behind when aborted with writes still in flight, and does not crash the process', async () => {
    const path = join(dir, 'stopped.csv');
    const writer = await createTableWriter(path, ['title']);
    const long = 'x'.repeat(64 * 1024);
    // Not awaited on purpose: Ctrl-C arrives while rows are still on their way to the disk.
    const pending = Array.from({ length: 8 }, (_, i) => writer.write({ doc: `${i}.html`, cells: { title: cell([long]) } }));
    await new Promise((done) => setImmediate(done));
    await writer.abort();
    await new Promise((done) => setTimeout(done, 50)); // an unhandled stream error would surface here
    void pending;
    expect((await readdir(dir)).filter((file) => file.startsWith('stopped'))).toEqual([]);
    await writer.write({ doc: 'late.html', cells: { title: cell(['late']) } });
    expect((await readdir(dir)).filter((file) => file.startsWith('stopped'))).toEqual([]);
  });
});
