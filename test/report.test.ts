import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCorpus, isSkipped } from '../src/corpus/index.ts';
import { runExtraction } from '../src/pipeline/extract.ts';
import { buildReport, embedJson, renderReportHtml, ReportError, serveReport, viewWindows, writeReport, type ReportData } from '../src/report/index.ts';
import { PAGE_SCRIPT } from '../src/report/page-script.ts';
import { PAGE_STYLE } from '../src/report/page-style.ts';
import { HOSTILE, SYNTHETIC_ATTRIBUTES, writeSyntheticRun, type SyntheticRun } from './fixtures/report/synthetic-run.ts';

const demoDocs = resolve(import.meta.dirname, '../datasets/demo/docs');
const attributes = ['title', 'director', 'release_date', 'runtime', 'genres', 'rating'];

let work: string;
let demoRun: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-report-'));
  demoRun = join(work, 'demo-run');
  await runExtraction({ documents: demoDocs, attributes, model: null, runDir: demoRun });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The JSON block of a rendered page, read back the way the browser does. */
function embeddedData(html: string): ReportData {
  const match = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  if (match === null) throw new Error('no data block in the page');
  return JSON.parse(match[1] as string) as ReportData;
}

describe('embedding data in the page', () => {
  it('escapes everything that could end the script element or start markup, and reads back unchanged', () => {
    const value = { text: '</script><script>alert(1)</script> <!-- x --> & \u2028 \u2029 <img onerror=x>' };
    const embedded = embedJson(value);
    expect(embedded).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(embedded)).toEqual(value);
  });

  it('puts no run data into the markup: everything is in the escaped JSON block', async () => {
    const run = await writeSyntheticRun(join(work, 'hostile'), 40);
    const { data } = await buildReport(run.runDir);
    const html = renderReportHtml(data);
    // The hostile value, id and attribute name appear nowhere as markup, only escaped inside the data block.
    for (const text of [HOSTILE.value, HOSTILE.imgValue, HOSTILE.docId, SYNTHETIC_ATTRIBUTES[3] as string]) expect(html).not.toContain(text);
    expect(html.match(/<script/g)).toHaveLength(2);
    const back = embeddedData(html);
    expect(back.rows.map((row) => row.c[0]?.v?.[0])).toContain(HOSTILE.value);
    expect(back.rows.map((row) => row.d)).toContain(HOSTILE.docId);
  });

  it('allows only its own script and style, by hash, and no network but its own server', () => {
    const html = renderReportHtml({ ...emptyData() });
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(policy).toContain(`script-src ${sha(PAGE_SCRIPT)}`);
    expect(policy).toContain(`style-src ${sha(PAGE_STYLE)}`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    expect(html).toContain(`<style>${PAGE_STYLE}</style>`);
  });

  it('has a page script that parses and never writes markup from strings', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', "'href'", 'srcdoc']) {
      expect(PAGE_SCRIPT, sink).not.toContain(sink);
    }
    expect(PAGE_SCRIPT).not.toContain('</script');
    expect(PAGE_STYLE).not.toContain('</style');
  });
});

describe('view windows', () => {
  const view = 'a'.repeat(100) + 'VALUE' + 'b'.repeat(100) + 'OTHER' + 'c'.repeat(100);

  it('keeps the given context around each anchor and merges windows that touch', () => {
    expect(viewWindows(view, [[100, 105]], 10)).toEqual([[90, view.slice(90, 115)]]);
    expect(viewWindows(view, [[205, 210], [100, 105]], 10)).toEqual([[90, view.slice(90, 115)], [195, view.slice(195, 220)]]);
    expect(viewWindows(view, [[100, 105], [205, 210]], 60)).toEqual([[40, view.slice(40, 270)]]);
  });

  it('clamps to the view and copes with anchors past its end (a corpus edited since the run)', () => {
    expect(viewWindows('short', [[0, 2]], 10)).toEqual([[0, 'short']]);
    expect(viewWindows('short', [[50, 60]], 2)).toEqual([[3, 'rt']]);
  });

  it('never splits a surrogate pair', () => {
    const text = 'x😀y😀z';
    for (let radius = 0; radius < 4; radius++) {
      for (const [, part] of viewWindows(text, [[3, 4]], radius)) {
        expect(part, `radius ${radius}`).toBe(part.toWellFormed());
      }
    }
  });
});

describe('report data from a demo run', () => {
  let data: ReportData;
  beforeAll(async () => {
    data = (await buildReport(demoRun)).data;
  });

  it('has one row per document, the attributes in schema order, and the coverage extract reported', async () => {
    const summary = JSON.parse(await readFile(join(demoRun, 'summary.json'), 'utf8'));
    expect(data.rows).toHaveLength(80);
    expect(data.attributes.map((attribute) => attribute.name)).toEqual(attributes);
    for (const attribute of data.attributes) {
      const reported = summary.attributes.find((entry: { name: string }) => entry.name === attribute.name);
      expect(attribute.coverage, attribute.name).toBeCloseTo(reported.coverage, 6);
      expect(attribute.meanConfidence, attribute.name).toBeCloseTo(reported.meanConfidence, 3);
    }
    expect(data.run).toMatchObject({ documents: 80, rows: 80, method: 'code+', synthesizer: 'built-in rules', model: null, usage: null, skippedTotal: 0 });
    expect(data.run.sample).toHaveLength(10);
    expect(Object.keys(data.run.stageSeconds)).toContain('apply');
  });

  it('describes every kept and discarded function, with sources for the kept ones', async () => {
    const program = JSON.parse(await readFile(join(demoRun, 'program.json'), 'utf8'));
    const scores = JSON.parse(await readFile(join(demoRun, 'scores.json'), 'utf8'));
    for (const attribute of data.attributes) {
      const kept = program.attributes.find((entry: { name: string }) => entry.name === attribute.name).functions;
      expect(attribute.kept.map((index) => data.functions[index]?.id)).toEqual(kept.map((fn: { id: string }) => fn.id));
      for (const index of attribute.kept) {
        const fn = data.functions[index]!;
        expect(fn).toMatchObject({ attribute: attribute.name, origin: 'builtin', kept: true });
        expect(fn.source).toContain('function extract');
        expect(fn.accuracy).toBeGreaterThanOrEqual(0);
        expect(fn.sampleF1).toBeGreaterThanOrEqual(0.5);
      }
      expect(attribute.dropped.map((entry) => [data.functions[entry.fn]?.id, entry.reason])).toEqual(
        scores.attributes[attribute.name].dropped.map((entry: { id: string; reason: string }) => [entry.id, entry.reason]),
      );
      for (const entry of attribute.dropped) expect(data.functions[entry.fn]?.source).toBeNull();
    }
  });

  it('keeps each cell\'s value, voters and spans, and competing values only when there are several', async () => {
    const lines = (await readFile(join(demoRun, 'cells.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    lines.forEach((line, r) => {
      const row = data.rows[r]!;
      expect(row.d).toBe(line.doc);
      attributes.forEach((name, a) => {
        const cell = line.cells[name];
        const compact = row.c[a]!;
        expect(compact.v ?? null).toEqual(cell.value);
        expect(compact.c).toBeCloseTo(cell.confidence, 4);
        expect((compact.f ?? []).map((index) => data.functions[index]?.id)).toEqual(cell.voters);
        expect(compact.s ?? []).toEqual(cell.spans);
        if (cell.candidates.length > 1) expect(compact.k?.map((k) => [k[0], k[2].map((index) => data.functions[index]?.id)])).toEqual(cell.candidates.map((c: { value: string[] | null; voters: string[] }) => [c.value, c.voters]));
        else expect(compact.k).toBeUndefined();
      });
    });
  });

  it('embeds each document whole, as the functions saw it: spans point at the values', async () => {
    expect(data.views.mode).toBe('full');
    const corpus = await openCorpus(demoDocs);
    let checked = 0;
    for (const row of data.rows) {
      const loaded = await corpus.load(corpus.documents.find((ref) => ref.id === row.d)!);
      if (isSkipped(loaded)) throw new Error(`${row.d} skipped`);
      expect(row.w).toEqual({ n: loaded.view.length, format: loaded.format, p: [[0, loaded.view]] });
      for (const cell of row.c) {
        (cell.s ?? []).forEach(([start, end], i) => {
          expect(loaded.view.slice(start, end)).toBe(cell.v?.[i]);
          checked++;
        });
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('embeds windows around the values when the corpus is over the budget, with the same offsets', async () => {
    const small = (await buildReport(demoRun, { maxEmbeddedBytes: 1000 })).data;
    expect(small.views.mode).toBe('window');
    expect(small.views.note).toMatch(/--serve/);
    const radius = small.views.radius as number;
    expect(radius).toBeGreaterThanOrEqual(80);
    for (const [r, row] of small.rows.entries()) {
      const whole = data.rows[r]!.w!.p[0]![1];
      expect(row.w!.n).toBe(whole.length);
      for (const [offset, text] of row.w!.p) expect(whole.slice(offset, offset + text.length)).toBe(text);
      for (const cell of row.c) {
        for (const [start, end] of cell.s ?? []) {
          const part = row.w!.p.find(([offset, text]) => offset <= start && end <= offset + text.length);
          expect(part, `${row.d} span ${start}`).toBeDefined();
          expect(part![0]).toBeLessThanOrEqual(Math.max(0, start - radius));
        }
      }
    }
    const embedded = small.rows.reduce((sum, row) => sum + row.w!.p.reduce((s, [, text]) => s + text.length, 0), 0);
    const total = data.rows.reduce((sum, row) => sum + row.w!.n, 0);
    expect(embedded).toBeLessThan(total / 2);
  });

  it('writes report.html into the run directory', async () => {
    const path = await writeReport(demoRun);
    expect(path).toBe(join(demoRun, 'report.html'));
    const back = embeddedData(await readFile(path, 'utf8'));
    expect(back.rows).toHaveLength(80);
  });
});

describe('runs that are incomplete, moved or scored', () => {
  let synthetic: SyntheticRun;
  beforeAll(async () => {
    synthetic = await writeSyntheticRun(join(work, 'synthetic'), 300);
  });

  it('puts gold and F1 into the scored cells and lists the worst documents first', async () => {
    const { data } = await buildReport(synthetic.runDir);
    expect(data.evaluation?.averageF1).toBeCloseTo(0.975);
    const name = data.rows.map((row) => row.c[0]!);
    expect(name.filter((cell) => cell.e === 0)).toHaveLength(30);
    expect(name.every((cell) => Array.isArray(cell.g))).toBe(true);
    expect(data.evaluation?.worst[0]).toEqual({ doc: 'docs/00000.txt', meanF1: 0.75, row: true });
    expect(data.run.usage?.total.promptTokens).toBe(82_000);
    expect(data.run.skipped).toEqual([expect.objectContaining({ id: 'broken.bin', reason: 'binary' })]);
    expect(data.attributes[3]?.failures).toEqual([{ reason: 'no-code', detail: 'the reply held no function' }]);
    expect(data.views.mode).toBe('full');
  });

  it('finds a corpus that moved when told where, and says why views are missing when not', async () => {
    const moved = join(work, 'moved');
    await cp(synthetic.corpus, moved, { recursive: true });
    const copy = join(work, 'moved-run');
    await cp(synthetic.runDir, copy, { recursive: true });
    const runJson = JSON.parse(await readFile(join(copy, 'run.json'), 'utf8'));
    await writeFile(join(copy, 'run.json'), JSON.stringify({ ...runJson, documents: join(work, 'gone') }));
    const docsJson = JSON.parse(await readFile(join(copy, 'documents.json'), 'utf8'));
    await writeFile(join(copy, 'documents.json'), JSON.stringify({ ...docsJson, root: join(work, 'gone') }));

    const lost = (await buildReport(copy)).data;
    expect(lost.views.mode).toBe('none');
    expect(lost.views.note).toMatch(/not found/i);
    expect(lost.rows.every((row) => row.w === undefined)).toBe(true);

    const found = (await buildReport(copy, { corpusRoot: moved })).data;
    expect(found.views.mode).toBe('full');
    expect(found.rows.every((row) => row.w !== undefined)).toBe(true);
  });

  it('reports documents deleted since the run, and still shows the others', async () => {
    const copy = join(work, 'deleted-corpus');
    await cp(synthetic.corpus, copy, { recursive: true });
    await rm(join(copy, 'docs', '00001.txt'));
    const { data } = await buildReport(synthetic.runDir, { corpusRoot: copy });
    expect(data.views.missing).toEqual([{ doc: 'docs/00001.txt', reason: expect.stringMatching(/not found/) }]);
    expect(data.rows.filter((row) => row.w !== undefined)).toHaveLength(299);
  });

  it('reads what a run that stopped early left, and says the table is missing', async () => {
    const partial = join(work, 'partial');
    await mkdir(partial);
    await cp(join(synthetic.runDir, 'run.json'), join(partial, 'run.json'));
    await cp(join(synthetic.runDir, 'schema.json'), join(partial, 'schema.json'));
    const { data } = await buildReport(partial);
    expect(data.rows).toEqual([]);
    expect(data.attributes.map((attribute) => attribute.name)).toEqual(SYNTHETIC_ATTRIBUTES);
    expect(data.notes.join(' ')).toMatch(/no cells\.jsonl/i);
  });

  it('skips unreadable lines and artifacts with a note instead of failing', async () => {
    const broken = join(work, 'broken');
    await cp(synthetic.runDir, broken, { recursive: true });
    const cells = await readFile(join(broken, 'cells.jsonl'), 'utf8');
    await writeFile(join(broken, 'cells.jsonl'), `${cells}{"doc": "x", "cells": 5}\nnot json\n`);
    await writeFile(join(broken, 'usage.json'), '{"model": 3}');
    await writeFile(join(broken, 'scores.json'), '{ truncated');
    const { data } = await buildReport(broken);
    expect(data.rows).toHaveLength(300);
    const notes = data.notes.join('\n');
    expect(notes).toMatch(/2 line\(s\) of cells\.jsonl could not be read/);
    expect(notes).toMatch(/usage\.json does not have the expected shape/);
    expect(notes).toMatch(/scores\.json is not valid JSON/);
    expect(data.run.usage).toBeNull();
  });

  it('reads an apply run (cells only) and a direct run (one voter, no program)', async () => {
    const direct = join(work, 'direct');
    await mkdir(direct);
    const cell = (value: string | null) => ({ value: value ? [value] : null, confidence: value ? 1 : 0, voters: value ? ['direct'] : [], spans: [], candidates: [] });
    await writeFile(join(direct, 'cells.jsonl'), `${JSON.stringify({ doc: 'a.txt', cells: { total: cell('12.50'), date: cell(null) } })}\n`);
    const apply = (await buildReport(direct)).data;
    expect(apply.attributes.map((attribute) => attribute.name)).toEqual(['total', 'date']);
    expect(apply.functions).toEqual([expect.objectContaining({ id: 'direct', origin: 'model', strategy: 'direct extraction' })]);
    expect(apply.rows[0]?.c).toEqual([{ v: ['12.50'], c: 1, f: [0] }, { c: 0 }]);
    expect(apply.views.mode).toBe('none');
    expect(apply.views.note).toMatch(/--corpus/);
    expect(apply.run.corpus).toBeNull();
  });

  it('refuses a folder that is not a run directory, saying what it expected', async () => {
    await expect(buildReport(join(work, 'nowhere'))).rejects.toThrow(ReportError);
    const empty = join(work, 'empty');
    await mkdir(empty);
    await expect(buildReport(empty)).rejects.toThrow(/not a run directory/);
  });
});

describe('serving a report', () => {
  it('serves the page and whole views of corpus documents only, to loopback requests only', async () => {
    const synthetic = await writeSyntheticRun(join(work, 'served'), 50);
    const server = await serveReport(synthetic.runDir, { port: 0, maxEmbeddedBytes: 1000 });
    try {
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(embeddedData(await page.text()).views.mode).toBe('window');

      const doc = 'docs/00003.txt';
      const view = await fetch(new URL(`api/view?doc=${encodeURIComponent(doc)}`, server.url));
      expect(view.status).toBe(200);
      const body = (await view.json()) as { doc: string; format: string; view: string };
      expect(body).toMatchObject({ doc, format: 'text' });
      const corpus = await openCorpus(synthetic.corpus);
      const expected = await corpus.load(corpus.documents.find((ref) => ref.id === doc)!);
      expect(body.view).toBe((expected as { view: string }).view);
      expect(body.view).toContain(HOSTILE.value);

      for (const bad of ['../run/run.json', '/etc/passwd', 'broken.bin', '']) {
        const response = await fetch(new URL(`api/view?doc=${encodeURIComponent(bad)}`, server.url));
        expect(response.status, bad).toBe(404);
      }
      // A page on another site that rebinds its name to 127.0.0.1 sends its own name as Host.
      const rebound = await new Promise<number>((done, fail) => {
        const url = new URL(server.url);
        request({ host: url.hostname, port: url.port, path: '/api/view?doc=docs%2F00003.txt', headers: { host: `attacker.example:${url.port}` } }, (response) => {
          response.resume();
          done(response.statusCode ?? 0);
        }).on('error', fail).end();
      });
      expect(rebound).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('says which port is taken', async () => {
    const synthetic = await writeSyntheticRun(join(work, 'served-twice'), 5);
    const first = await serveReport(synthetic.runDir, { port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(serveReport(synthetic.runDir, { port })).rejects.toThrow(`Port ${port} is already in use`);
    } finally {
      await first.close();
    }
  });
});

function emptyData(): ReportData {
  return {
    version: 1,
    generatedAt: new Date(0).toISOString(),
    run: {
      runDir: '/x', corpus: null, method: null, synthesizer: null, model: null, documents: 0, rows: 0, skipped: [], skippedTotal: 0,
      sample: [], stageSeconds: {}, applyDocsPerSecond: null, sandbox: null, usage: null,
    },
    attributes: [],
    functions: [],
    rows: [],
    views: { mode: 'none', note: '', radius: null, missing: [] },
    evaluation: null,
    notes: [],
  };
}
