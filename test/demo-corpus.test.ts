import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { DEMO_SEED, generateDemoCorpus } from '../datasets/demo/generate.ts';
import { ATTRIBUTES, type GoldRow } from '../datasets/demo/generator/films.ts';

const demoDir = path.resolve(import.meta.dirname, '../datasets/demo');
const docsDir = path.join(demoDir, 'docs');

async function committedFiles(): Promise<Map<string, string>> {
  const entries = await readdir(docsDir, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const absolute = path.join(entry.parentPath, entry.name);
    files.set(path.relative(demoDir, absolute).split(path.sep).join('/'), await readFile(absolute, 'utf8'));
  }
  files.set('table.json', await readFile(path.join(demoDir, 'table.json'), 'utf8'));
  return files;
}

async function goldTable(): Promise<Record<string, GoldRow>> {
  return JSON.parse(await readFile(path.join(demoDir, 'table.json'), 'utf8')) as Record<string, GoldRow>;
}

/** What a reader sees: for HTML, the body's text with entities decoded and scripts/styles dropped. */
function visibleText(name: string, content: string): string {
  if (!name.endsWith('.html')) return content.replace(/\s+/g, ' ');
  const $ = load(content);
  $('script, style, noscript').remove();
  return $('body').text().replace(/\s+/g, ' ');
}

const valuesOf = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

describe('demo corpus', () => {
  it('is exactly what the generator writes (regenerate with datasets/demo/generate.ts after changing it)', async () => {
    const generated = generateDemoCorpus();
    const onDisk = await committedFiles();
    expect([...onDisk.keys()].sort()).toEqual([...generated.keys()].sort());
    for (const [name, content] of generated) expect(onDisk.get(name), name).toBe(content);
  });

  it('generates the same bytes on every run, and a different corpus for a different seed', () => {
    const first = generateDemoCorpus();
    expect(generateDemoCorpus()).toEqual(first);
    expect(generateDemoCorpus(DEMO_SEED + 1).get('table.json')).not.toBe(first.get('table.json'));
  });

  it('has one gold row per document: 20 pages from each of three sites and 20 text records, under 1.5 MB', async () => {
    const files = await committedFiles();
    const table = await goldTable();
    const docNames = [...files.keys()].filter((name) => name.startsWith('docs/')).map((name) => name.slice('docs/'.length));
    expect(Object.keys(table).sort()).toEqual(docNames.sort());
    for (const folder of ['site-a', 'site-b', 'site-c']) {
      expect(docNames.filter((name) => name.startsWith(`${folder}/`) && name.endsWith('.html'))).toHaveLength(20);
    }
    expect(docNames.filter((name) => name.startsWith('records/') && name.endsWith('.txt'))).toHaveLength(20);
    const bytes = [...files.values()].reduce((sum, content) => sum + Buffer.byteLength(content), 0);
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('uses only the six attributes, genres as a list, and leaves every attribute but title missing somewhere', async () => {
    const rows = Object.values(await goldTable());
    for (const row of rows) {
      expect(ATTRIBUTES).toEqual(expect.arrayContaining(Object.keys(row)));
      expect(typeof row.title).toBe('string');
      if (row.genres !== undefined) expect(Array.isArray(row.genres) && row.genres.length > 0).toBe(true);
      for (const attribute of ['title', 'director', 'release_date', 'runtime', 'rating'] as const) {
        if (row[attribute] !== undefined) expect(typeof row[attribute]).toBe('string');
      }
    }
    for (const attribute of ATTRIBUTES.filter((name) => name !== 'title')) {
      expect(rows.some((row) => row[attribute] === undefined), `${attribute} is missing in some document`).toBe(true);
    }
  });

  it('shows every gold value in its document text (entities decoded, tags, scripts and styles stripped)', async () => {
    const table = await goldTable();
    const absent: string[] = [];
    for (const [name, row] of Object.entries(table)) {
      const text = visibleText(name, await readFile(path.join(docsDir, name), 'utf8'));
      for (const [attribute, value] of Object.entries(row)) {
        for (const single of valuesOf(value)) if (!text.includes(single)) absent.push(`${name} ${attribute}=${JSON.stringify(single)}`);
      }
    }
    expect(absent).toEqual([]);
  });

  it('writes dates and runtimes in each site\'s own form, as documented in the README', async () => {
    const table = await goldTable();
    const formsBySite: Record<string, { date: RegExp; runtime: RegExp }> = {
      'site-a': { date: /^[A-Z][a-z]+ \d{1,2}, \d{4}$/, runtime: /^\d+ min$/ },
      'site-b': { date: /^\d{4}-\d{2}-\d{2}$/, runtime: /^\d+h \d{2}m$/ },
      'site-c': { date: /^\d{2}\/\d{2}\/\d{4}$/, runtime: /^\d+ minutes$/ },
    };
    for (const [name, row] of Object.entries(table)) {
      const forms = formsBySite[name.split('/')[0] ?? ''];
      if (forms === undefined) continue;
      if (row.release_date !== undefined) expect(row.release_date, name).toMatch(forms.date);
      if (row.runtime !== undefined) expect(row.runtime, name).toMatch(forms.runtime);
    }
  });

  it('plants hostile markup in user content of a page per scripted template and in a text record', async () => {
    const files = await committedFiles();
    const hostile = [...files].filter(([, content]) => content.includes("<script>alert('xss')</script>")).map(([name]) => name);
    expect(hostile.some((name) => name.startsWith('docs/site-'))).toBe(true);
    expect(hostile.some((name) => name.startsWith('docs/records/'))).toBe(true);
    expect([...files.values()].some((content) => content.includes(`<img src="x" onerror="alert('xss')">`))).toBe(true);
  });
});
