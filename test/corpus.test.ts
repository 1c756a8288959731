import { mkdtemp, mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkView,
  cleanHtml,
  corpusFromDocuments,
  CorpusError,
  decodeBytes,
  detectFormat,
  looksBinary,
  normalizeText,
  openCorpus,
  rankChunks,
  seededSample,
} from '../src/corpus/index.ts';

const swdeSite = resolve(import.meta.dirname, '../../shared/datasets/swde/book/book-booksamillion(2000)');
const haveSwde = existsSync(swdeSite);
if (!haveSwde) console.warn(`SKIP corpus SWDE tests: ${swdeSite} is absent (../shared/datasets is only on the team's machines)`);

describe('decodeBytes', () => {
  it('strips a UTF-8 BOM and turns CRLF and lone CR into LF', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('caf\u00e9\r\nline two\rthree', 'utf8')]);
    expect(decodeBytes(bytes)).toEqual({ text: 'caf\u00e9\nline two\nthree', encoding: 'utf-8-bom' });
  });

  it('reads plain UTF-8 as such', () => {
    expect(decodeBytes(Buffer.from('na\u00efve \u2014 ok', 'utf8'))).toEqual({ text: 'na\u00efve \u2014 ok', encoding: 'utf-8' });
  });

  it('falls back to windows-1252 when the bytes are not valid UTF-8', () => {
    // 0x93/0x94 are curly quotes and 0xe9 is é in windows-1252; none is valid UTF-8 here.
    const bytes = Buffer.from([0x93, 0x43, 0x61, 0x66, 0xe9, 0x94, 0x0d, 0x0a, 0x80]);
    expect(decodeBytes(bytes)).toEqual({ text: '\u201cCaf\u00e9\u201d\n\u20ac', encoding: 'windows-1252' });
  });

  it('honours a UTF-16LE BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hi\r\n', 'utf16le')]);
    expect(decodeBytes(bytes)).toEqual({ text: 'hi\n', encoding: 'utf-16le' });
  });

  it('calls NUL bytes binary, except in UTF-16 text', () => {
    expect(looksBinary(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toBe(true);
    expect(looksBinary(Buffer.from('plain text'))).toBe(false);
    expect(looksBinary(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a', 'utf16le')]))).toBe(false);
  });

  it('reads UTF-16 without a byte-order mark as text, not binary', () => {
    const le = Buffer.from('Name: Ana Lima\r\nTotal: 12.50\r\n', 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(looksBinary(le)).toBe(false);
    expect(looksBinary(be)).toBe(false);
    expect(decodeBytes(le)).toEqual({ text: 'Name: Ana Lima\nTotal: 12.50\n', encoding: 'utf-16le' });
    expect(decodeBytes(be)).toEqual({ text: 'Name: Ana Lima\nTotal: 12.50\n', encoding: 'utf-16be' });
    // A binary file with scattered NULs is still binary.
    expect(looksBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]))).toBe(true);
  });
});

describe('detectFormat', () => {
  it('uses the extension, then sniffs markup', () => {
    expect(detectFormat('a/page.HTM', 'whatever')).toBe('html');
    expect(detectFormat('page.xhtml', '')).toBe('html');
    expect(detectFormat('notes.txt', '<html><body>x</body></html>')).toBe('text');
    expect(detectFormat('record', '<!DOCTYPE html><html>')).toBe('html');
    expect(detectFormat('0001.dat', '  <!-- saved --> <base href="x"><html>')).toBe('html');
    expect(detectFormat('0001.dat', 'Name: Ada <b>bold</b>')).toBe('text');
  });
});

describe('HTML view', () => {
  const page = `<!DOCTYPE html><html><head><title>The  Film &amp; Friends</title>
    <meta charset="utf-8"><meta property="og:title" content="The Film">
    <link rel="stylesheet" href="x.css"><style>body { color: red }</style>
    <script>alert("x")</script><script type="application/ld+json">{ "name":  "The Film" }</script></head>
    <body><!-- a comment --><noscript>enable js</noscript><svg><text>chart</text></svg>
    <div class="info" data-track="1" style="x" onclick="evil()"><h1 id="t">The Film</h1>
    <table><tr><th>Director</th><td>Ana   Lima</td></tr><tr><th>Year</th><td>2019</td></tr></table>
    <p>Tom &amp; Jerry &lt;3 &eacute;t&eacute;<br>next line</p><a href="javascript:void(0)">x</a><span class="empty"></span>
    <img src="p.png" alt="Poster"><div></div></div></body></html>`;
  const view = cleanHtml(page);

  it('drops scripts, styles, comments, svg, noscript and links but keeps title, meta and JSON-LD', () => {
    expect(view).not.toMatch(/alert|color: red|a comment|enable js|chart|stylesheet|charset/);
    expect(view).toContain('<title>The Film & Friends</title>');
    expect(view).toContain('<meta content="The Film" property="og:title">');
    expect(view).toContain('<script type="application/ld+json">{ "name": "The Film" }</script>');
  });

  it('keeps meaningful attributes only and puts blocks on their own lines', () => {
    expect(view).not.toMatch(/data-track|style=|onclick|javascript:|src=/);
    expect(view.split('\n')).toEqual(
      expect.arrayContaining([
        '<div class="info">',
        '<h1 id="t">The Film</h1>',
        '<tr><th>Director</th><td>Ana Lima</td></tr>',
        '<p>Tom & Jerry &lt;3 été<br>',
        'next line</p>',
      ]),
    );
    expect(view).toContain('<img alt="Poster">');
    expect(view).not.toContain('class="empty"');
    expect(view).not.toMatch(/^\s|\s$|\n\n| {2}/m);
  });

  it('re-parses to the same view (the view is valid HTML for the $ helper)', () => {
    expect(cleanHtml(view)).toBe(view);
  });

  it('survives broken markup', () => {
    expect(cleanHtml('<div><p>open <b>bold</div><td>cell</table></i>')).toBe('<div>\n<p>open <b>bold</b></p>\n</div>\n<td>cell</td>');
    expect(cleanHtml('')).toBe('');
  });
});

describe('text view', () => {
  it('collapses spaces, trims lines and keeps at most one blank line', () => {
    expect(normalizeText('  Name:\t Ada  \r\n\r\n\r\n\nAge: 36 \n\n')).toBe('Name: Ada\n\nAge: 36');
  });
});

describe.skipIf(!haveSwde)('views of real SWDE pages', () => {
  it('removes scripts and styles, keeps the values, and is deterministic', async () => {
    const corpus = await openCorpus(swdeSite, { include: ['000*.htm'] });
    expect(corpus.documents.map((d) => d.id)).toEqual(['0000.htm', '0001.htm', '0002.htm', '0003.htm', '0004.htm', '0005.htm', '0006.htm', '0007.htm', '0008.htm', '0009.htm']);
    const gold = goldColumn('isbn_13');
    const titles = goldColumn('title');
    for await (const doc of corpus.views()) {
      expect(doc.format).toBe('html');
      expect(doc.view).not.toMatch(/<script(?! type="application\/ld\+json")|<style|<!--/i);
      const page = doc.id.replace('.htm', '');
      expect(doc.view).toContain(gold.get(page));
      expect(doc.view).toContain(titles.get(page));
      const again = await corpus.load(corpus.documents.find((d) => d.id === doc.id)!);
      expect(again).toEqual(doc);
      expect(cleanHtml(doc.view)).toBe(doc.view);
    }
  });

  function goldColumn(attribute: string): Map<string, string> {
    const file = resolve(swdeSite, `../../groundtruth/book/book-booksamillion-${attribute}.txt`);
    const rows = readFileSync(file, 'utf8').replace(/^\ufeff/, '').split(/\r?\n/).slice(2);
    return new Map(rows.filter(Boolean).map((row) => {
      const [page, , value] = row.split('\t');
      return [page as string, (value as string).replace(/&amp;/g, '&')];
    }));
  }
});

describe('chunkView', () => {
  const view = Array.from({ length: 200 }, (_, i) => `line ${i}: ${'word '.repeat(i % 17)}end.`).join('\n');

  it('covers the view exactly, within the budget, cutting at line ends', () => {
    const chunks = chunkView(view, { maxChars: 500 });
    expect(chunks.map((c) => c.text).join('')).toBe(view);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(500);
      expect(chunk.text).toBe(view.slice(chunk.start, chunk.end));
    }
    for (const chunk of chunks.slice(0, -1)) expect(chunk.text.endsWith('\n')).toBe(true);
  });

  it('converts a token budget and hard-cuts text with no boundary', () => {
    expect(chunkView('x'.repeat(1000), { maxTokens: 100 }).map((c) => c.text.length)).toEqual([400, 400, 200]);
    expect(chunkView('')).toEqual([]);
  });

  it('prefers sentence ends and spaces inside one long line', () => {
    const line = 'Alpha beta gamma. Delta epsilon zeta eta. Theta iota kappa lambda mu.';
    const chunks = chunkView(line, { maxChars: 45 });
    expect(chunks[0]?.text).toBe('Alpha beta gamma. Delta epsilon zeta eta.');
  });

  it('ranks chunks that name the attribute first, then by word overlap', () => {
    const texts = ['Intro text here.\n', 'Director: Ana.\n', 'Release info and date.\n', 'The release date is 2019.\n'];
    let start = 0;
    const chunks = texts.map((text, index) => ({ index, start, end: (start += text.length), text }));
    const ranked = rankChunks(chunks, 'release_date');
    expect(ranked[0]?.text).toContain('release date is');
    expect(ranked[1]?.text).toContain('Release info and date');
    expect(rankChunks(chunks, 'director')[0]?.text).toContain('Director');
  });
});

describe('seededSample', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `doc-${i}`);
  it('is reproducible for a seed, independent of input order, and varies with the seed', () => {
    const a = seededSample(ids, 10, 42, (x) => x);
    expect(seededSample([...ids].reverse(), 10, 42, (x) => x)).toEqual(a);
    expect(new Set(a).size).toBe(10);
    expect(seededSample(ids, 10, 43, (x) => x)).not.toEqual(a);
    expect(seededSample(ids, 500, 1, (x) => x)).toHaveLength(100);
  });
});

describe('openCorpus on bad input', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'evaporate-corpus-'));
    await mkdir(join(root, 'sub/deeper'), { recursive: true });
    await mkdir(join(root, '.hidden'));
    await mkdir(join(root, 'node_modules/pkg'), { recursive: true });
    await writeFile(join(root, 'a.html'), '<html><body><p>A</p></body></html>');
    await writeFile(join(root, 'sub/b.txt'), 'Name: B\r\n');
    await writeFile(join(root, 'sub/deeper/c.md'), '# C');
    await writeFile(join(root, 'empty.txt'), '');
    await writeFile(join(root, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x1a]));
    await writeFile(join(root, 'big.txt'), 'x'.repeat(5000));
    await writeFile(join(root, 'gone.txt'), 'soon deleted');
    await writeFile(join(root, '.secret.txt'), 'hidden');
    await writeFile(join(root, '.hidden/x.txt'), 'hidden');
    await writeFile(join(root, 'node_modules/pkg/index.txt'), 'dependency');
    await symlink(root, join(root, 'sub/loop'));
    await symlink('..', join(root, 'sub/deeper/up'));
    await symlink(join(root, 'missing'), join(root, 'dangling.txt'));

  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is a clear error for a missing folder or a file', async () => {
    await expect(openCorpus(join(root, 'nope'))).rejects.toThrow(CorpusError);
    await expect(openCorpus(join(root, 'nope'))).rejects.toThrow(/Corpus folder not found: .*nope/);
    await expect(openCorpus(join(root, 'a.html'))).rejects.toThrow(/Not a folder/);
  });

  it('lists documents once despite symlink loops, skipping hidden files and node_modules', async () => {
    const corpus = await openCorpus(root, { maxBytes: 1000 });
    expect(corpus.documents.map((d) => d.id)).toEqual(['a.html', 'gone.txt', 'image.png', 'sub/b.txt', 'sub/deeper/c.md']);
    expect(corpus.skipped.map((s) => [s.id, s.reason])).toEqual([
      ['big.txt', 'too-large'],
      ['empty.txt', 'empty'],
    ]);
  });

  it('does not follow links out of the folder unless asked, and says why', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'evaporate-outside-'));
    const linked = await mkdtemp(join(tmpdir(), 'evaporate-linked-'));
    try {
      await writeFile(join(outside, 'secret.txt'), 'Password: hunter2');
      await mkdir(join(outside, 'folder'));
      await writeFile(join(outside, 'folder/more.txt'), 'More: yes');
      await writeFile(join(linked, 'own.txt'), 'Name: own');
      await symlink(join(outside, 'secret.txt'), join(linked, 'passwd.txt'));
      await symlink(join(outside, 'folder'), join(linked, 'elsewhere'));
      const corpus = await openCorpus(linked);
      expect(corpus.documents.map((d) => d.id)).toEqual(['own.txt']);
      expect(corpus.skipped.map((s) => [s.id, s.reason])).toEqual([
        ['elsewhere', 'outside-root'],
        ['passwd.txt', 'outside-root'],
      ]);
      expect(corpus.skipped[1]?.detail).toContain(join(outside, 'secret.txt'));
      const followed = await openCorpus(linked, { followLinks: true });
      expect(followed.documents.map((d) => d.id)).toEqual(['elsewhere/more.txt', 'own.txt', 'passwd.txt']);
    } finally {
      await rm(outside, { recursive: true, force: true });
      await rm(linked, { recursive: true, force: true });
    }
  });

  it('skips binary and vanished files with a reason while the rest loads', async () => {
    const corpus = await openCorpus(root, { maxBytes: 1000 });
    await unlink(join(root, 'gone.txt'));
    const views = [];
    for await (const doc of corpus.views()) views.push([doc.id, doc.format, doc.view]);
    expect(views).toEqual([
      ['a.html', 'html', '<p>A</p>'],
      ['sub/b.txt', 'text', 'Name: B'],
      ['sub/deeper/c.md', 'text', '# C'],
    ]);
    expect(Object.fromEntries(corpus.skipped.map((s) => [s.id, s.reason]))).toEqual({
      'big.txt': 'too-large',
      'empty.txt': 'empty',
      'gone.txt': 'unreadable',
      'image.png': 'binary',
    });
  });

  it('applies include and exclude globs to paths relative to the root', async () => {
    const only = await openCorpus(root, { include: ['sub/**'], exclude: ['**/*.md'] });
    expect(only.documents.map((d) => d.id)).toEqual(['sub/b.txt']);
  });
});

describe('deeply nested markup', () => {
  it('is cleaned without exhausting the stack', async () => {
    // Unclosed tags nested tens of thousands deep: broken pages do this.
    const corpus = corpusFromDocuments([
      { id: 'deep.html', content: `<p>Price: 5${'<div><span>x'.repeat(20000)}` },
      { id: 'fine.html', content: '<p>Price: 6</p>' },
    ]);
    const views = [];
    for await (const doc of corpus.views()) views.push([doc.id, doc.view.slice(0, 18)]);
    expect(views).toEqual([
      ['deep.html', '<p>Price: 5</p>\n<d'],
      ['fine.html', '<p>Price: 6</p>'],
    ]);
    expect(corpus.skipped).toEqual([]);
  });
});

describe('corpusFromDocuments', () => {
  it('builds views from in-memory content and rejects duplicate ids', async () => {
    const corpus = corpusFromDocuments([
      { id: 'b', content: 'Total:  12.00 ' },
      { id: 'a', content: '<div><b>x</b></div>' },
      { id: 'c', content: '   ' },
    ]);
    const views = [];
    for await (const doc of corpus.views()) views.push([doc.id, doc.format, doc.view]);
    expect(views).toEqual([
      ['a', 'html', '<div><b>x</b></div>'],
      ['b', 'text', 'Total: 12.00'],
    ]);
    expect(corpus.skipped.map((s) => s.id)).toEqual(['c']);
    expect(() => corpusFromDocuments([{ id: 'a', content: 'x' }, { id: 'a', content: 'y' }])).toThrow(/Duplicate document id: a/);
  });
});

describe('documents too complex to view', () => {
  it('skips an HTML bomb with a reason, without building its tree', async () => {
    const { corpusFromDocuments } = await import('../src/corpus/index.ts');
    const bomb = `<html><body>${'<div><b>x</b></div>'.repeat(150_000)}</body></html>`;
    const corpus = corpusFromDocuments([
      { id: 'bomb.html', content: bomb, format: 'html' },
      { id: 'fine.html', content: '<html><body><p>Title: ok</p></body></html>', format: 'html' },
    ]);
    const views = [];
    for await (const doc of corpus.views()) views.push(doc.id);
    expect(views).toEqual(['fine.html']);
    expect(corpus.skipped).toMatchObject([{ id: 'bomb.html', reason: 'too-complex', detail: expect.stringMatching(/tags, over the 250000/) }]);
  });
});

describe('files whose names are not valid UTF-8', () => {
  it('are recorded as unreadable with the reason, not as empty', async () => {
    const { writeFileSync } = await import('node:fs');
    const folder = await mkdtemp(join(tmpdir(), 'evaporate-names-'));
    try {
      writeFileSync(Buffer.concat([Buffer.from(`${folder}/bad`), Buffer.from([0xff, 0xfe]), Buffer.from('name.txt')]), 'Name: x\n'.repeat(5000));
      await writeFile(join(folder, 'good.txt'), 'Name: y\n');
      const corpus = await openCorpus(folder);
      expect(corpus.documents.map((d) => d.id)).toEqual(['good.txt']);
      expect(corpus.skipped).toHaveLength(1);
      expect(corpus.skipped[0]).toMatchObject({ reason: 'unreadable', detail: expect.stringMatching(/name is not valid UTF-8/) });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('report a folder that cannot be read, instead of dropping its files silently', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const folder = await mkdtemp(join(tmpdir(), 'evaporate-names-'));
    try {
      const badFolder = Buffer.concat([Buffer.from(`${folder}/pages-`), Buffer.from([0xff])]);
      mkdirSync(badFolder);
      writeFileSync(Buffer.concat([badFolder, Buffer.from('/inside.txt')]), 'Name: x\n');
      await writeFile(join(folder, 'good.txt'), 'Name: y\n');
      const corpus = await openCorpus(folder);
      expect(corpus.documents.map((d) => d.id)).toEqual(['good.txt']);
      expect(corpus.skipped).toMatchObject([
        { id: 'pages-\uFFFD/', reason: 'unreadable', detail: expect.stringMatching(/folder that cannot be read.*name is not valid UTF-8.*files in it are not in the corpus/) },
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
