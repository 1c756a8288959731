import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/index.ts';
import { checkSource, disposeChecker } from '../src/sandbox/check.ts';
import type { DocumentOutcomes, ExtractorSource, Sandbox, SandboxDocument } from '../src/sandbox/index.ts';

const BOOK = `<html><head><title>The Hobbit by J. R. R. Tolkien</title></head><body>
<div class="details"><h2>The Hobbit<span class="subtitle"> (Paperback)</span></h2>
<h3 class="author">by <a href="/a/1">J. R. R. Tolkien</a>, <a href="/a/2">Christopher Tolkien</a></h3>
<ul class="overview-details">
<li><strong>ISBN-13</strong>: 9780547928227</li>
<li><strong>Publisher</strong>: Mariner Books</li>
<li><strong>Date</strong>: September 2012</li>
</ul></div>
<table><tr><td>Format</td><td>Paperback</td></tr><tr><td>Pages</td><td>300</td></tr></table>
</body></html>`;

const TEXT = 'Publisher: Plain Press\nDate: 2001\n<not a tag';

const docs: SandboxDocument[] = [
  { id: 'book.html', view: BOOK, format: 'html' },
  { id: 'notes.txt', view: TEXT, format: 'text' },
];

const fn = (id: string, source: string): ExtractorSource => ({ id, source });

async function runAll(sandbox: Sandbox, input: Iterable<SandboxDocument> | AsyncIterable<SandboxDocument>): Promise<DocumentOutcomes[]> {
  const out: DocumentOutcomes[] = [];
  for await (const r of sandbox.run(input)) out.push(r);
  return out;
}

async function outcomesOf(functions: ExtractorSource[], input: SandboxDocument[] = docs, options = {}): Promise<DocumentOutcomes[]> {
  const sandbox = await createSandbox(functions, { isolates: 1, ...options });
  try {
    return await runAll(sandbox, input);
  } finally {
    await sandbox.close();
  }
}

afterAll(() => disposeChecker());

describe('checkSource', () => {
  it('accepts a well-formed extractor without running it', () => {
    expect(checkSource(fn('ok', 'function extract(doc) { while (true) {} }'))).toEqual({ ok: true });
  });

  it('refuses a source too long to compile, saying so', () => {
    const huge = `function extract(doc) { return ${JSON.stringify('x'.repeat(8_000_000))} }`;
    const r = checkSource(fn('huge', huge));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^the source has 8000035 characters, over the 1000000 a function may have$/) });
  });

  it('reports the syntax error of a source that does not compile', () => {
    const r = checkSource(fn('bad', 'function extract(doc) { return ( }'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^SyntaxError: /);
  });

  it('rejects a source that cannot break out of its function body', () => {
    const r = checkSource(fn('escape', 'function extract(doc) { return 1 } }); globalThis.x = 1; (function () {'));
    expect(r.ok).toBe(false);
  });

  it('rejects a source with no extract function and an empty source', () => {
    expect(checkSource(fn('none', 'function parse(doc) { return doc }'))).toEqual({
      ok: false,
      error: 'the source defines no function named extract(doc, $)',
    });
    expect(checkSource(fn('empty', '   '))).toEqual({ ok: false, error: 'empty source' });
  });
});

describe('createSandbox', () => {
  it('records rejected sources and runs the rest', async () => {
    const sandbox = await createSandbox([fn('bad', 'function extract( {'), fn('good', 'function extract() { return "x" }')], { isolates: 1 });
    try {
      expect(sandbox.rejected).toEqual([{ id: 'bad', error: expect.stringMatching(/SyntaxError/) }]);
      expect(sandbox.functionIds).toEqual(['good']);
      const [first] = await runAll(sandbox, docs.slice(0, 1));
      expect(first!.outcomes).toEqual({ good: { kind: 'value', value: ['x'] } });
    } finally {
      await sandbox.close();
    }
  });

  it('refuses duplicate ids and bad options with a message that names them', async () => {
    await expect(createSandbox([fn('a', 'function extract(){}'), fn('a', 'function extract(){}')])).rejects.toThrow(/duplicate extractor id "a"/);
    await expect(createSandbox([fn('__proto__', 'function extract(){}')])).rejects.toThrow(/invalid extractor id "__proto__"/);
    await expect(createSandbox([], { timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a number >= 1/);
    await expect(createSandbox([], { memoryLimitMb: 4 })).rejects.toThrow(/memoryLimitMb must be a number >= 8/);
  });
});

describe('outputs', () => {
  it('normalizes values: trimmed, whitespace collapsed, numbers as strings, empty items dropped', async () => {
    const [r] = await outcomesOf(
      [
        fn('str', 'function extract() { return "  The   Hobbit\\n (1937) " }'),
        fn('num', 'function extract() { return 42 }'),
        fn('arr', 'function extract() { return [" a ", "", null, "b  c", undefined, 7] }'),
        fn('big', 'function extract() { return 12345678901234567890n }'),
      ],
      docs.slice(0, 1),
    );
    expect(r!.outcomes).toEqual({
      str: { kind: 'value', value: ['The Hobbit (1937)'] },
      num: { kind: 'value', value: ['42'] },
      arr: { kind: 'value', value: ['a', 'b c', '7'] },
      big: { kind: 'value', value: ['12345678901234567890'] },
    });
  });

  it('treats null, undefined, blank strings and empty arrays as abstentions', async () => {
    const [r] = await outcomesOf(
      ['null', 'undefined', '"   "', '[]', '[null, ""]'].map((v, i) => fn(`f${i}`, `function extract() { return ${v} }`)),
      docs.slice(0, 1),
    );
    expect(Object.values(r!.outcomes)).toEqual(Array(5).fill({ kind: 'abstain' }));
  });

  it('reports throws and unusable results as errors with a message', async () => {
    const [r] = await outcomesOf(
      [
        fn('throws', 'function extract(doc) { return doc.match(/nothing-here/)[1] }'),
        fn('object', 'function extract() { return { title: "x" } }'),
        fn('bool', 'function extract() { return true }'),
        fn('nan', 'function extract() { return NaN }'),
        fn('nested', 'function extract() { return [["a"]] }'),
        fn('noextract', 'const extract = 5; function extractor() {}'),
      ],
      docs.slice(0, 1),
    );
    expect(r!.outcomes.throws).toEqual({ kind: 'error', error: 'threw', message: expect.stringMatching(/^TypeError: /) });
    expect(r!.outcomes.object).toEqual({ kind: 'error', error: 'bad-output', message: expect.stringContaining('returned object') });
    expect(r!.outcomes.bool).toMatchObject({ kind: 'error', error: 'bad-output' });
    expect(r!.outcomes.nan).toMatchObject({ kind: 'error', error: 'bad-output' });
    expect(r!.outcomes.nested).toMatchObject({ kind: 'error', error: 'bad-output', message: expect.stringContaining('array item 0') });
    expect(r!.outcomes.noextract).toEqual({ kind: 'error', error: 'threw', message: 'the source does not define a function named extract' });
  });

  it('caps strings and arrays', async () => {
    const [r] = await outcomesOf(
      [
        fn('long', 'function extract() { return "ab ".repeat(5000) }'),
        fn('many', 'function extract() { return Array.from({ length: 500 }, (_, i) => "v" + i) }'),
      ],
      docs.slice(0, 1),
      { maxStringLength: 100, maxArrayItems: 5 },
    );
    const long = r!.outcomes.long;
    expect(long?.kind === 'value' && long.value[0]).toBe('ab '.repeat(34).slice(0, 100).trimEnd());
    expect(r!.outcomes.many).toEqual({ kind: 'value', value: ['v0', 'v1', 'v2', 'v3', 'v4'] });
  });

  it('runs ordinary code that assigns over names of frozen built-ins, or forgets to declare variables', async () => {
    const [r] = await outcomesOf(
      [
        fn(
          'override',
          `class ParseError extends Error { constructor(m) { super(m); this.name = 'ParseError' } }
           function extract(doc) {
             const o = {}; o.toString = () => 'custom'; o.constructor = 'x';
             return [String(o), new ParseError('m').name, o.constructor];
           }`,
        ),
        fn('sloppy', `function extract(doc) { for (i = 0; i < 3; i++) { total = (typeof total === 'number' ? total : 0) + i } return String(total) }`),
      ],
      docs.slice(0, 1),
    );
    expect(r!.outcomes.override).toEqual({ kind: 'value', value: ['custom', 'ParseError', 'x'] });
    expect(r!.outcomes.sloppy).toEqual({ kind: 'value', value: ['3'] });
  });

  it('gives extractors a fixed clock and a repeatable Math.random', async () => {
    const [r] = await outcomesOf(
      [
        fn('clock', 'function extract() { return [String(Date.now()), new Date().toISOString()] }'),
        fn('random1', 'function extract() { return String(Math.random()) }'),
        fn('random2', 'function extract() { return String(Math.random()) }'),
      ],
      docs.slice(0, 1),
      { now: Date.UTC(2020, 0, 2) },
    );
    expect(r!.outcomes.clock).toEqual({ kind: 'value', value: [String(Date.UTC(2020, 0, 2)), '2020-01-02T00:00:00.000Z'] });
    expect(r!.outcomes.random1).toEqual(r!.outcomes.random2);
  });
});

describe('$ (cheerio-style query)', () => {
  it('supports the usual traversal API over the document HTML', async () => {
    const queries: Record<string, string> = {
      first: `$('h2').first().contents().first().text()`,
      attr: `$('h3.author a').first().attr('href')`,
      find: `$('.overview-details').find('strong').map((i, el) => $(el).text()).get()`,
      each: `(() => { const out = []; $('li').each((i, el) => { out.push($(el).text()) }); return out })()`,
      toArray: `$('li').toArray().length`,
      next: `$('td').filter((i, el) => $(el).text() === 'Pages').next().text()`,
      parent: `$('strong').eq(1).parent().text()`,
      closest: `$('span.subtitle').closest('div').attr('class')`,
      children: `$('ul.overview-details').children().length`,
      eq: `$('td').eq(1).text()`,
      length: `$('a').length`,
      contains: `$('li:contains("Publisher")').text()`,
      root: `$.root().find('title').text()`,
      text: `$.text($('title'))`,
      missing: `$('.nope').text()`,
    };
    const [r] = await outcomesOf(
      Object.entries(queries).map(([id, q]) => fn(id, `function extract(doc, $) { return ${q} }`)),
      docs.slice(0, 1),
    );
    const v = (id: string) => {
      const o = r!.outcomes[id];
      return o?.kind === 'value' ? o.value : o;
    };
    expect(v('first')).toEqual(['The Hobbit']);
    expect(v('attr')).toEqual(['/a/1']);
    expect(v('find')).toEqual(['ISBN-13', 'Publisher', 'Date']);
    expect(v('each')).toEqual(['ISBN-13: 9780547928227', 'Publisher: Mariner Books', 'Date: September 2012']);
    expect(v('toArray')).toEqual(['3']);
    expect(v('next')).toEqual(['300']);
    expect(v('parent')).toEqual(['Publisher: Mariner Books']);
    expect(v('closest')).toEqual(['details']);
    expect(v('children')).toEqual(['3']);
    expect(v('eq')).toEqual(['Paperback']);
    expect(v('length')).toEqual(['2']);
    expect(v('contains')).toEqual(['Publisher: Mariner Books']);
    expect(v('root')).toEqual(['The Hobbit by J. R. R. Tolkien']);
    expect(v('text')).toEqual(['The Hobbit by J. R. R. Tolkien']);
    expect(v('missing')).toEqual({ kind: 'abstain' });
  });

  it('sees a cleaned view as a browser would: title and meta in the head, the rest in the body', async () => {
    const view = '<title>The Hobbit</title>\n<meta content="Tolkien" name="author">\n<div class="main">\n<h1>The Hobbit</h1>\n</div>';
    const [r] = await outcomesOf(
      [
        fn('body', `function extract(doc, $) { return $('body > div.main h1').text() }`),
        fn('head', `function extract(doc, $) { return $('head title').text() + ' / ' + $('head meta[name=author]').attr('content') }`),
        fn('doc', `function extract(doc, $) { return doc.startsWith('<title>') ? 'view unchanged' : 'changed' }`),
      ],
      [{ id: 'v.html', view, format: 'html' }],
    );
    expect(r!.outcomes).toEqual({
      body: { kind: 'value', value: ['The Hobbit'] },
      head: { kind: 'value', value: ['The Hobbit / Tolkien'] },
      doc: { kind: 'value', value: ['view unchanged'] },
    });
  });

  it('is callable on text documents, which hold one text node and no elements', async () => {
    const [, r] = await outcomesOf([
      fn('root', `function extract(doc, $) { return $.root().text() === doc ? 'same' : $.root().text() }`),
      fn('none', `function extract(doc, $) { return $('*').length }`),
    ]);
    expect(r!.outcomes.root).toEqual({ kind: 'value', value: ['same'] });
    expect(r!.outcomes.none).toEqual({ kind: 'value', value: ['0'] });
  });

  it('lets a function edit the page for itself while the next functions see the original', async () => {
    // Three copies: on the first the edit is found after the page (and the page is redone), later right after the editor.
    const rows = await outcomesOf(
      [
        fn('before', `function extract(doc, $) { return $('td').length }`),
        fn('editor', `function extract(doc, $) { $('table, h3').remove(); $('h2 span').remove(); return [$('td').length, $('h2').text()] }`),
        fn('after', `function extract(doc, $) { return [$('td').length, $('h2').text(), $('h3 a').length] }`),
        fn('after2', `function extract(doc, $) { return $.root().find('span.subtitle').text() }`),
      ],
      [docs[0]!, docs[0]!, docs[0]!].map((d, i) => ({ ...d, id: `copy-${i}` })),
    );
    for (const r of rows) expect(r.outcomes).toEqual({
      before: { kind: 'value', value: ['4'] },
      editor: { kind: 'value', value: ['0', 'The Hobbit'] },
      after: { kind: 'value', value: ['4', 'The Hobbit (Paperback)', '2'] },
      after2: { kind: 'value', value: ['(Paperback)'] },
    });
  });

  it('parses a document only when a function uses $, and once for all of them', async () => {
    const plain = await createSandbox([fn('a', 'function extract(doc, $) { return doc.slice(0, 5) }')], { isolates: 1 });
    await runAll(plain, docs);
    expect(plain.counters().parses).toBe(0);
    await plain.close();

    const query = await createSandbox(
      [1, 2, 3].map((i) => fn(`q${i}`, `function extract(doc, $) { return $('title').text() + ${i} }`)),
      { isolates: 1 },
    );
    await runAll(query, docs);
    expect(query.counters().parses).toBe(docs.length);
    await query.close();
  });
});

describe('streaming', () => {
  const many = (n: number): SandboxDocument[] =>
    Array.from({ length: n }, (_, i) => ({ id: `doc-${String(i).padStart(4, '0')}`, view: `<p>${i}</p>`, format: 'html' as const }));

  it('yields one result per document in input order, with a pool', async () => {
    const input = many(200);
    const sandbox = await createSandbox([fn('n', `function extract(doc) { return doc.replace(/<[^>]+>/g, '') }`)], { isolates: 2 });
    const out = await runAll(sandbox, input);
    await sandbox.close();
    expect(out.map((r) => r.docId)).toEqual(input.map((d) => d.id));
    expect(out.map((r) => r.outcomes.n)).toEqual(input.map((_, i) => ({ kind: 'value', value: [String(i)] })));
  });

  it('reads input only as fast as results are consumed', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<SandboxDocument> {
      for (const d of many(5000)) {
        pulled++;
        yield d;
      }
    }
    const sandbox = await createSandbox([fn('n', 'function extract(doc) { return doc }')], { isolates: 2 });
    let seen = 0;
    for await (const _ of sandbox.run(source())) {
      if (++seen === 10) break;
    }
    // Two isolates x two batches x at most 64 documents, plus the batch being read.
    expect(pulled).toBeLessThanOrEqual(5 * 64);
    // Documents already sent when the run stopped are finished and counted, never more than were read; on a busy
    // machine the host may have started every one of them before the stop reached it (CI saw 232 of 232).
    const ran = sandbox.counters().documents;
    expect(ran).toBeGreaterThanOrEqual(10);
    expect(ran).toBeLessThanOrEqual(pulled);
    await sandbox.close();
  });

  it('refuses a second concurrent run and runs again once the first is done', async () => {
    const sandbox = await createSandbox([fn('n', 'function extract(doc) { return doc }')], { isolates: 1 });
    const first = sandbox.run(docs)[Symbol.asyncIterator]();
    await first.next();
    await expect(runAll(sandbox, docs)).rejects.toThrow(/already in progress/);
    while (!(await first.next()).done);
    expect(await runAll(sandbox, docs)).toHaveLength(2);
    await sandbox.close();
    await expect(runAll(sandbox, docs)).rejects.toThrow(/closed/);
  });

  it('counts calls, values, abstentions and errors', async () => {
    const sandbox = await createSandbox(
      [fn('v', 'function extract() { return "x" }'), fn('a', 'function extract() { return null }'), fn('e', 'function extract() { throw new Error("no") }')],
      { isolates: 1 },
    );
    await runAll(sandbox, docs);
    expect(sandbox.counters()).toMatchObject({ documents: 2, calls: 6, values: 2, abstains: 2, errors: { threw: 2 }, disabled: [], isolateRestarts: 0 });
    await sandbox.close();
  });
});

describe('determinism', () => {
  const input: SandboxDocument[] = Array.from({ length: 60 }, (_, i) => ({
    id: `d${i}`,
    view: `<html><head><title>Book ${i}</title></head><body><h2>Title ${i % 7}</h2><p>ISBN ${9780000000000 + i * 37}</p></body></html>`,
    format: 'html' as const,
  }));
  const functions = [
    fn('regex', `function extract(doc) { const m = doc.match(/ISBN (\\d+)/); return m && m[1] }`),
    fn('query', `function extract(doc, $) { return $('h2').text() + '|' + $('title').text() }`),
    // Top-level state would make outputs depend on which documents an isolate saw before; each call starts fresh.
    fn('stateful', `let calls = 0; function extract(doc) { calls++; return String(calls) }`),
    fn('implicit', `function extract(doc) { if (typeof seen === 'undefined') seen = 0; seen++; return String(seen) }`),
    fn('random', `function extract() { return String(Math.random()).slice(0, 8) }`),
    fn('legacy', `function extract(doc) { return RegExp.lastMatch || 'none' }`),
  ];
  const digest = (rs: DocumentOutcomes[]) => JSON.stringify(rs.map((r) => [r.docId, r.outcomes]));

  it('gives the same outputs across runs, pool sizes and sandboxes', async () => {
    const a = await outcomesOf(functions, input, { isolates: 1, now: 0 });
    const b = await outcomesOf(functions, input, { isolates: 2, now: 0 });
    const c = await outcomesOf(functions, [...input].reverse(), { isolates: 2, now: 0 });
    expect(digest(b)).toBe(digest(a));
    expect(digest([...c].reverse())).toBe(digest(a));
    expect(a.every((r) => JSON.stringify(r.outcomes.stateful) === JSON.stringify({ kind: 'value', value: ['1'] }))).toBe(true);
    expect(a.every((r) => JSON.stringify(r.outcomes.implicit) === JSON.stringify({ kind: 'value', value: ['1'] }))).toBe(true);
  });
});
