/**
 * The source tree's shape, checked: imports run only from higher layers to lower ones (so no two folders
 * import each other), and modules stay small enough to read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../src');

/** Lowest first. A folder imports only from folders of a lower rank. */
const LAYERS: Record<string, number> = {
  core: 0,
  text: 1,
  corpus: 2,
  model: 2,
  prompting: 3,
  sandbox: 3,
  synthesis: 4,
  direct: 4,
  aggregate: 4,
  eval: 4,
  schema: 5,
  run: 6,
  pipeline: 7,
  report: 8,
  api: 9,
  cli: 10,
};

/** Long by nature: the page script shipped into report.html, and the helper source the built-in candidates carry. */
const LONG_ALLOWED = new Set(['report/page-script.ts', 'sandbox/library.ts']);
const MAX_LINES = 350;

const files = (readdirSync(src, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => file.split('\\').join('/'));
const folderOf = (file: string) => file.split('/')[0] as string;

describe('source layout', () => {
  it('gives every top-level folder a layer', () => {
    const folders = [...new Set(files.filter((file) => file.includes('/')).map(folderOf))];
    expect(folders.filter((folder) => LAYERS[folder] === undefined)).toEqual([]);
  });

  it('imports only from lower layers', () => {
    const wrong: string[] = [];
    for (const file of files.filter((f) => f.includes('/'))) {
      const text = readFileSync(join(src, file), 'utf8');
      for (const match of text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)) {
        const target = relative(src, resolve(dirname(join(src, file)), match[1] as string)).split('\\').join('/');
        const from = folderOf(file);
        const to = folderOf(target);
        if (!target.includes('/') || from === to) continue;
        if ((LAYERS[to] ?? Infinity) >= (LAYERS[from] ?? -1)) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it(`keeps every module under ${MAX_LINES} lines`, () => {
    const long = files
      .filter((file) => !LONG_ALLOWED.has(file))
      .map((file) => [file, readFileSync(join(src, file), 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
