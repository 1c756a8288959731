// Writes the demo corpus (docs/ and table.json) from a fixed seed. Deterministic: every run, on any
// machine, produces the same bytes, so the committed corpus can be checked against this generator.
//
//   node --no-node-snapshot datasets/demo/generate.ts [output-folder]   (default: this folder)
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateFilms, type GoldRow } from './generator/films.ts';
import { createRng, seedFrom } from './generator/random.ts';
import type { RenderedDocument, RenderInput } from './generator/document.ts';
import { renderSiteA } from './generator/site-a.ts';
import { renderSiteB } from './generator/site-b.ts';
import { renderSiteC } from './generator/site-c.ts';
import { renderRecord } from './generator/records.ts';

export const DEMO_SEED = 20_240_611;

/** Each source and the document numbers it owns; numbers run 1-80 across the corpus. */
const SOURCES = [
  { folder: 'site-a', extension: 'html', first: 1, render: renderSiteA },
  { folder: 'site-b', extension: 'html', first: 21, render: renderSiteB },
  { folder: 'site-c', extension: 'html', first: 41, render: renderSiteC },
  { folder: 'records', extension: 'txt', first: 61, render: renderRecord },
] as const;
const PER_SOURCE = 20;
/** Documents that carry planted XSS snippets in user-generated content (one page per script-bearing template, one record). */
const HOSTILE_DOCUMENTS = new Set([7, 53, 72]);

/** Demo corpus files keyed by path relative to the demo folder: `docs/<source>/film-NNN.<ext>` and `table.json`. */
export function generateDemoCorpus(seed: number = DEMO_SEED): Map<string, string> {
  const films = generateFilms(createRng(seed), SOURCES.length * PER_SOURCE);
  const files = new Map<string, string>();
  const table: Record<string, GoldRow> = {};
  for (const source of SOURCES) {
    for (let number = source.first; number < source.first + PER_SOURCE; number++) {
      const name = `${source.folder}/film-${String(number).padStart(3, '0')}.${source.extension}`;
      const rng = createRng(seedFrom(`${seed}:${name}`));
      const film = films[number - 1];
      if (film === undefined) throw new Error(`demo generator: no film for document ${number}`);
      const others = films.filter((other) => other !== film);
      const input: RenderInput = { film, number, related: rng.sample(others, rng.int(3, 5)), rng, hostile: HOSTILE_DOCUMENTS.has(number) };
      const rendered: RenderedDocument = source.render(input);
      files.set(`docs/${name}`, rendered.content);
      table[name] = rendered.gold;
    }
  }
  files.set('table.json', `${JSON.stringify(table, null, 2)}\n`);
  return files;
}

/** Replaces `<outDir>/docs` and `<outDir>/table.json` with a fresh generation. */
export async function writeDemoCorpus(outDir: string, seed: number = DEMO_SEED): Promise<{ files: number; bytes: number }> {
  const files = generateDemoCorpus(seed);
  await rm(path.join(outDir, 'docs'), { recursive: true, force: true });
  let bytes = 0;
  for (const [relative, content] of files) {
    const target = path.join(outDir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content, 'utf8');
    bytes += Buffer.byteLength(content, 'utf8');
  }
  return { files: files.size, bytes };
}

if (import.meta.main) {
  const outDir = path.resolve(process.argv[2] ?? import.meta.dirname);
  const { files, bytes } = await writeDemoCorpus(outDir);
  console.log(`demo corpus: wrote ${files} files (${(bytes / 1024).toFixed(1)} KiB) to ${outDir}`);
}
