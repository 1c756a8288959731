import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPredictedTable } from '../src/eval/index.ts';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { createTableWriter, openRowSink, type ResultRow } from '../src/run/index.ts';
import { csvField } from '../src/text/csv-field.ts';
import { isoDate, parseNumber, typedValue, valueKind } from '../src/text/typed-values.ts';

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

describe('a table written faster than the disk takes it', () => {
  it('waits for the stream to drain without leaving a listener behind for each wait', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const writer = await createTableWriter(join(dir, 'big.csv'), ['text']);
      const long = 'y'.repeat(64 * 1024);
      for (let i = 0; i < 200; i++) await writer.write({ doc: `${i}.txt`, cells: { text: cell([long]) } });
      await writer.close();
      await new Promise((done) => setImmediate(done));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
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

describe('typed values', () => {
  it('reads the kind from the form, and only a form that asks for a bare date or number', () => {
    expect(['YYYY-MM-DD', 'DD/MM/YYYY', 'a date', 'ISO 8601'].map(valueKind)).toEqual(['date', 'date', 'date', 'date']);
    expect(['a number', 'amount in dollars, e.g. 12.99', '0.00', 'number of pages'].map(valueKind)).toEqual(['number', 'number', 'number', 'number']);
    expect(['a number and a unit, e.g. 2 years', 'the place name only, e.g. New York', undefined].map(valueKind)).toEqual([null, null, null]);
  });

  it('gives ISO dates, and null rather than a guess', () => {
    expect(isoDate('2017-02-10')).toBe('2017-02-10');
    expect(isoDate('February 10, 2017')).toBe('2017-02-10');
    expect(isoDate('10th day of February, 2017')).toBe('2017-02-10');
    expect(isoDate('13/10/2017')).toBe('2017-10-13');
    expect(isoDate('02/10/2017')).toBeNull(); // day or month first? the form did not say
    expect(typedValue('02/10/2017', 'date', 'DD/MM/YYYY')).toBe('2017-10-02');
    expect(typedValue('02/10/2017', 'date', 'MM/DD/YYYY')).toBe('2017-02-10');
    expect(isoDate('31/02/2019')).toBeNull();
    expect(isoDate('2008')).toBeNull();
  });

  it('gives numbers from amounts written the common ways', () => {
    const cases: [string, number | null][] = [
      ['$1,234.56', 1234.56], ['RM 12.50', 12.5], ['1.234,56 EUR', 1234.56], ['(12.00)', -12], ['-3', -3], ['12%', 12],
      ['1,234', 1234], ['1,234,567', 1234567], ['4.90', 4.9], ['12 to 15', null], ['2 years', null], ['n/a', null],
    ];
    expect(cases.map(([raw]) => [raw, parseNumber(raw)])).toEqual(cases);
  });
});

describe('Parquet output', () => {
  const attributes = [
    { name: 'title' },
    { name: 'released', form: 'YYYY-MM-DD' },
    { name: 'price', form: 'a number' },
    { name: 'genres', multiple: true },
  ];
  const rows: ResultRow[] = Array.from({ length: 10_001 }, (_, i) => ({
    doc: `${i}.html`,
    cells: {
      title: cell(i % 3 === 0 ? null : [`Film ${i}`]),
      released: cell(i === 1 ? ['sometime in May'] : ['2001-05-04']),
      price: cell([`$${i}.50`]),
      genres: cell(i % 2 === 0 ? ['Drama', 'Romance'] : null),
    },
  }));

  it('types columns from the schema, keeps the raw strings beside them, and spans row groups', async () => {
    const path = join(dir, 'table.parquet');
    const writer = await createTableWriter(path, attributes);
    for (const row of rows) await writer.write(row);
    await writer.close();
    const bytes = await readFile(path);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const metadata = parquetMetadata(buffer);
    expect(metadata.row_groups.length).toBe(2);
    const schema = Object.fromEntries(metadata.schema.map((element) => [element.name, element]));
    expect(schema['released']).toMatchObject({ type: 'INT32', converted_type: 'DATE' });
    expect(schema['price']).toMatchObject({ type: 'DOUBLE' });
    expect(schema['genres']).toMatchObject({ converted_type: 'LIST' });
    expect(schema['title']).toMatchObject({ type: 'BYTE_ARRAY', converted_type: 'UTF8' });
    const read = await parquetReadObjects({ file: buffer, rowStart: 0, rowEnd: 3 });
    expect(read[0]).toMatchObject({ doc: '0.html', title: null, released: new Date('2001-05-04T00:00:00Z'), released_raw: '2001-05-04', price: 0.5, price_raw: '$0.50', genres: ['Drama', 'Romance'] });
    expect(read[1]).toMatchObject({ doc: '1.html', title: 'Film 1', released: null, released_raw: 'sometime in May', price: 1.5 });

    // eval reads the raw strings back: the same table as the CSV of the same rows.
    const csv = join(dir, 'same.csv');
    const csvWriter = await createTableWriter(csv, attributes);
    for (const row of rows.slice(0, 50)) await csvWriter.write(row);
    await csvWriter.close();
    const fromParquet = await readPredictedTable(path);
    const fromCsv = await readPredictedTable(csv);
    for (const [doc, row] of fromCsv) expect(fromParquet.get(doc)).toEqual(row);
  });

  it('adds typed values to the cells file beside the raw ones', async () => {
    const sink = await openRowSink({ tablePath: join(dir, 'sink.csv'), cellsPath: join(dir, 'cells.jsonl'), attributes });
    for (const row of rows.slice(0, 2)) await sink.write(row);
    await sink.close();
    const [first, second] = (await readFile(join(dir, 'cells.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(first.cells.released).toMatchObject({ value: ['2001-05-04'], typed: ['2001-05-04'] });
    expect(first.cells.price).toMatchObject({ value: ['$0.50'], typed: [0.5] });
    expect(second.cells.released).toMatchObject({ value: ['sometime in May'], typed: [null] });
    expect(first.cells.genres.typed).toBeUndefined();
  });
});
