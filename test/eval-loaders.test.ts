import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTarGz, loadBenchmark, parseSwdeGroundTruth, readEvaporateTable } from '../src/eval/index.ts';

const fixtures = path.resolve(import.meta.dirname, 'fixtures/eval');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'eval-loaders-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('extractTarGz', () => {
  it('unpacks pax archives: long and non-ASCII names, multi-block and empty files, directories', async () => {
    const out = path.join(tmp, 'pax');
    const result = await extractTarGz(path.join(fixtures, 'tar/pax.tar.gz'), out);
    const longName = `root/${'x'.repeat(120)}/long.txt`;
    expect(result.files.sort()).toEqual(['abs/file.txt', 'root/big.txt', 'root/café.txt', 'root/empty.txt', longName].sort());
    const big = await readFile(path.join(out, 'root/big.txt'), 'utf8');
    expect(big.split('\n')).toHaveLength(41);
    expect(big.startsWith('line 0000 of a file longer than one tar block\n')).toBe(true);
    expect(big.endsWith('line 0039 of a file longer than one tar block\n')).toBe(true);
    expect(await readFile(path.join(out, longName), 'utf8')).toBe('long name ok\n');
    expect(await readFile(path.join(out, 'root/café.txt'), 'utf8')).toBe('non-ascii ok\n');
    expect((await stat(path.join(out, 'root/empty.txt'))).size).toBe(0);
  });

  it('refuses members that leave the destination and skips links, saying why', async () => {
    const out = path.join(tmp, 'pax-skips');
    const result = await extractTarGz(path.join(fixtures, 'tar/pax.tar.gz'), out);
    expect(result.skipped).toEqual([
      { path: 'root/link.txt', reason: expect.stringMatching(/unsupported member type '2'/) },
      { path: '../escape.txt', reason: 'path leaves the destination folder' },
    ]);
    await expect(stat(path.join(tmp, 'escape.txt'))).rejects.toThrow();
  });

  it('reads the ustar prefix field and GNU long names', async () => {
    const ustar = await extractTarGz(path.join(fixtures, 'tar/ustar.tar.gz'), path.join(tmp, 'ustar'));
    expect(ustar.files).toEqual([`p/${'y'.repeat(130)}/deep.txt`]);
    const gnu = await extractTarGz(path.join(fixtures, 'evaporate-tar/docs.tar.gz'), path.join(tmp, 'gnu'));
    expect(gnu.files.map((f) => path.basename(f))).toEqual(['0000.htm', '0001.htm']);
    expect(gnu.files[0]!.length).toBeGreaterThan(100);
  });

  it('names the archive when it is not gzip, not a tar, or missing', async () => {
    const plain = path.join(tmp, 'plain.tar.gz');
    await writeFile(plain, 'just text, not gzip');
    await expect(extractTarGz(plain, path.join(tmp, 'x1'))).rejects.toThrow(/plain\.tar\.gz: could not decompress/);
    const notTar = path.join(tmp, 'not-tar.tar.gz');
    await writeFile(notTar, gzipSync(Buffer.alloc(1024, 'a')));
    await expect(extractTarGz(notTar, path.join(tmp, 'x2'))).rejects.toThrow(/not-tar\.tar\.gz: not a tar archive/);
    await expect(extractTarGz(path.join(tmp, 'absent.tar.gz'), path.join(tmp, 'x3'))).rejects.toThrow(/absent\.tar\.gz: cannot read/);
  });
});

describe('gold readers', () => {
  it('reads an Evaporate table: union of attributes, missing keys and null as no value, lists, numbers', async () => {
    const table = await readEvaporateTable(path.join(fixtures, 'evaporate-docs/table.json'));
    expect(table.attributes).toEqual(['vendor', 'total', 'date', 'signers']);
    expect(table.rows.get('/data/evaporate/mini/docs/b.txt')).toEqual({ vendor: ['Tom &amp; Jerry Ltd'], total: [], date: ['2021-03-04'], signers: [] });
    expect(table.rows.get('sub/c.txt')).toEqual({ vendor: [], total: ['0'], date: ['2019-12-31'], signers: ['Ann Lee', 'Bob Stone'] });
  });

  it('rejects a table that is not an object of records', async () => {
    const bad = path.join(tmp, 'bad-table.json');
    await writeFile(bad, JSON.stringify({ 'a.txt': 'just a string' }));
    await expect(readEvaporateTable(bad)).rejects.toThrow(/record for 'a.txt' is not an object/);
  });

  it('parses SWDE ground truth: BOM, CRLF, several values, <NULL>', () => {
    const text = '\uFEFFbook\tshop\tauthor\r\n3\t2\t3\t3\r\n0000\t1\tFrank Herbert\r\n0001\t2\tTerry Pratchett\tNeil Gaiman\r\n0002\t1\t<NULL>\r\n';
    const truth = parseSwdeGroundTruth(text, 'x.txt');
    expect(truth).toMatchObject({ vertical: 'book', site: 'shop', attribute: 'author' });
    expect([...truth.pages]).toEqual([
      ['0000', ['Frank Herbert']],
      ['0001', ['Terry Pratchett', 'Neil Gaiman']],
      ['0002', []],
    ]);
    expect(() => parseSwdeGroundTruth('only one line', 'y.txt')).toThrow(/y\.txt: not an SWDE ground-truth file/);
  });
});

describe('loadBenchmark', () => {
  it('loads the Evaporate layout with docs/, re-keying gold by document and dropping records without one', async () => {
    const [setting, ...rest] = await loadBenchmark(path.join(fixtures, 'evaporate-docs'));
    expect(rest).toEqual([]);
    expect(setting).toMatchObject({ name: 'evaporate-docs', layout: 'evaporate', docsRoot: path.join(fixtures, 'evaporate-docs/docs') });
    expect(setting!.attributes).toEqual(['vendor', 'total', 'date', 'signers']);
    expect([...setting!.gold!.rows.keys()]).toEqual(['a.txt', 'b.txt', 'sub/c.txt']);
    expect(setting!.gold!.rows.get('b.txt')!.vendor).toEqual(['Tom &amp; Jerry Ltd']);
    expect(setting!.warnings).toEqual([expect.stringMatching(/^1 of 4 gold records name no document .*missing\.txt/)]);
  });

  it('accepts the table.json file itself', async () => {
    const [setting] = await loadBenchmark(path.join(fixtures, 'evaporate-docs/table.json'));
    expect(setting!.gold!.rows.size).toBe(3);
  });

  it('unpacks docs.tar.gz into the cache once and points docsRoot below the archived folder tree', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const [setting] = await loadBenchmark(path.join(fixtures, 'evaporate-tar'), { cacheDir });
    expect(setting!.layout).toBe('evaporate-tar');
    expect(setting!.docsRoot.startsWith(cacheDir)).toBe(true);
    expect(path.basename(setting!.docsRoot)).toMatch(/^a-deliberately-long-folder-name/);
    expect(setting!.warnings).toEqual([]);
    expect([...setting!.gold!.rows]).toEqual([
      ['0000.htm', { name: ['Alpha'], price: ['$5'] }],
      ['0001.htm', { name: ['Beta'], price: ['$7'] }],
    ]);
    expect(await readFile(path.join(setting!.docsRoot, '0001.htm'), 'utf8')).toContain('<h1>Beta</h1>');

    // A second load reuses the unpacked copy: a file dropped into it survives.
    await writeFile(path.join(setting!.docsRoot, 'marker.txt'), 'kept');
    const [again] = await loadBenchmark(path.join(fixtures, 'evaporate-tar'), { cacheDir });
    expect(again!.docsRoot).toBe(setting!.docsRoot);
    expect(await readFile(path.join(again!.docsRoot, 'marker.txt'), 'utf8')).toBe('kept');
    expect(await readdir(cacheDir)).toHaveLength(1);
  });

  it('loads SWDE from the root, a vertical or a site folder, with multi-valued and empty gold', async () => {
    const site = path.join(fixtures, 'swde/book/book-shop(3)');
    for (const target of [path.join(fixtures, 'swde'), path.join(fixtures, 'swde/book'), site]) {
      const settings = await loadBenchmark(target);
      expect(settings).toHaveLength(1);
      const s = settings[0]!;
      expect(s).toMatchObject({ name: 'book-shop', layout: 'swde', docsRoot: site, warnings: [] });
      expect(s.attributes).toEqual(['author', 'publisher', 'title']);
      expect(s.gold!.rows.get('0001.htm')).toEqual({ author: ['Terry Pratchett', 'Neil Gaiman'], publisher: [': Gollancz & Co'], title: ['Good Omens'] });
      expect(s.gold!.rows.get('0002.htm')).toEqual({ author: [], publisher: [], title: ['Anonymous Poems'] });
    }
  });

  it('loads an SWDE site without ground truth with a warning, and a plain folder without gold', async () => {
    const lone = path.join(tmp, 'lone/movie-nowhere(1)');
    await mkdir(lone, { recursive: true });
    await writeFile(path.join(lone, '0000.htm'), '<html></html>');
    const [s] = await loadBenchmark(lone);
    expect(s!.gold).toBeNull();
    expect(s!.warnings).toEqual([expect.stringMatching(/no ground truth found \(looked for movie-nowhere-<attribute>\.txt/)]);

    const [plain] = await loadBenchmark(path.join(fixtures, 'plain'));
    expect(plain).toMatchObject({ name: 'plain', layout: 'plain', gold: null, attributes: [], docsRoot: path.join(fixtures, 'plain') });
  });

  it('finds every setting in a folder that mixes layouts', async () => {
    const names = (await loadBenchmark(fixtures, { cacheDir: path.join(tmp, 'cache') })).map((s) => `${s.layout}:${s.name}`);
    expect(names).toEqual(['evaporate:evaporate-docs', 'evaporate-tar:evaporate-tar', 'swde:book-shop']);
  });

  it('explains a missing path, a stray file and a table without documents', async () => {
    await expect(loadBenchmark(path.join(tmp, 'nope'))).rejects.toThrow(/nope: no such file or folder/);
    await expect(loadBenchmark(path.join(fixtures, 'plain/note.txt'))).rejects.toThrow(/is a file; point at the benchmark folder/);
    const orphan = path.join(tmp, 'orphan');
    await mkdir(orphan, { recursive: true });
    await writeFile(path.join(orphan, 'table.json'), '{}');
    await expect(loadBenchmark(orphan)).rejects.toThrow(/neither a docs\/ folder nor docs\.tar\.gz/);
  });
});
