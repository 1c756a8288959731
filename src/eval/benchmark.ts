/**
 * Finds the benchmark settings under a folder and loads their gold: the Evaporate layout (`docs/`
 * or `docs.tar.gz`, plus `table.json`), the original SWDE layout (pages in
 * `<vertical>/<vertical>-<site>(<n>)/`, gold in `groundtruth/<vertical>/`), or a plain folder of
 * documents with no gold.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userCacheRoot } from '../core/user-cache.ts';
import { readEvaporateTable, readSwdeGold, type GoldTable } from './gold.ts';
import { extractTarGz } from './tar.ts';

export type BenchmarkLayout = 'evaporate' | 'evaporate-tar' | 'swde' | 'plain';

export interface BenchmarkSetting {
  /** `fda_510ks`-style folder name for Evaporate settings, `<vertical>-<site>` for SWDE. */
  name: string;
  layout: BenchmarkLayout;
  /** The setting's own folder (where `table.json`, `docs/` or the SWDE pages are). */
  root: string;
  /** Folder the documents live in; gold document ids are paths relative to it. */
  docsRoot: string;
  /** Null for a plain folder, or when an SWDE site's ground truth could not be found (see warnings). */
  gold: GoldTable | null;
  attributes: string[];
  /** What was odd but not fatal: gold records without a document, count mismatches, skipped archive members. */
  warnings: string[];
}

export interface LoadBenchmarkOptions {
  /**
   * Where `docs.tar.gz` archives are unpacked (once; later loads reuse it). Defaults to
   * `$XDG_CACHE_HOME/evaporate-ts/datasets`, else `~/.cache/evaporate-ts/datasets`.
   */
  cacheDir?: string;
}

const SWDE_SITE = /^([^-/\\]+)-(.+)\((\d+)\)$/;

const defaultCacheDir = (): string => path.join(userCacheRoot(), 'datasets');

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** Every file under `dir` as a `/`-separated relative path; hidden files (`.DS_Store`, `._x`) are not documents. */
export async function listDocuments(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep);
    if (relative.some((part) => part.startsWith('.'))) continue;
    files.push(relative.join('/'));
  }
  return files.sort();
}

/**
 * Re-keys gold rows by document id. A key is taken as is when such a document exists, otherwise by
 * its longest trailing path that names a document: the Evaporate release keys its tables by the
 * authors' absolute paths (`/data/evaporate/swde/movie/movie-imdb(2000)/0000.htm`). Rows naming no
 * document are dropped with a warning, as scoring a document nobody has would be meaningless.
 */
export function alignGoldToDocuments(gold: GoldTable, documents: readonly string[], warnings: string[]): GoldTable {
  const available = new Set(documents);
  const rows = new Map<string, Record<string, string[]>>();
  const unmatched: string[] = [];
  let duplicates = 0;
  for (const [key, row] of gold.rows) {
    const parts = key.split('/').filter(Boolean);
    let doc: string | undefined;
    for (let i = 0; i < parts.length && doc === undefined; i += 1) {
      const candidate = parts.slice(i).join('/');
      if (available.has(candidate)) doc = candidate;
    }
    if (doc === undefined) unmatched.push(key);
    else if (rows.has(doc)) duplicates += 1;
    else rows.set(doc, row);
  }
  if (unmatched.length > 0) {
    const total = gold.rows.size;
    warnings.push(
      `${unmatched.length} of ${total} gold records name no document under the documents folder and are left out` +
        ` (first: ${unmatched.slice(0, 3).join(', ')})`,
    );
  }
  if (duplicates > 0) warnings.push(`${duplicates} gold records name a document another record already named; the first was kept`);
  return { attributes: gold.attributes, rows };
}

/** The deepest folder that contains every file (paths relative, `/`-separated). */
function commonFolder(files: readonly string[]): string {
  const dirs = files.map((f) => f.split('/').slice(0, -1));
  const first = dirs[0] ?? [];
  let depth = first.length;
  for (const d of dirs) {
    let i = 0;
    while (i < depth && d[i] === first[i]) i += 1;
    depth = i;
  }
  return first.slice(0, depth).join('/');
}

/** Unpacks the archive into a cache folder named by its path, size and time, reusing a finished one. */
async function unpackCached(archive: string, name: string, cacheDir: string, warnings: string[]): Promise<string> {
  const info = await stat(archive);
  const fingerprint = createHash('sha256')
    .update(`${path.resolve(archive)}\0${info.size}\0${info.mtimeMs}`)
    .digest('hex')
    .slice(0, 12);
  const target = path.join(cacheDir, `${name.replace(/[^\w.-]+/g, '_')}-${fingerprint}`);
  const marker = path.join(target, '.complete');
  if (await isFile(marker)) return target;

  await mkdir(cacheDir, { recursive: true });
  const partial = `${target}.partial-${process.pid}-${Date.now()}`;
  try {
    const { skipped } = await extractTarGz(archive, partial);
    for (const s of skipped) warnings.push(`${archive}: member ${s.path} not unpacked: ${s.reason}`);
    await writeFile(path.join(partial, '.complete'), `${archive}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another process may have finished the same archive first; its copy is as good as ours.
    if (await isFile(marker)) return target;
    throw error;
  }
  return target;
}

async function loadEvaporate(dir: string, options: LoadBenchmarkOptions): Promise<BenchmarkSetting> {
  const name = path.basename(dir);
  const warnings: string[] = [];
  const table = await readEvaporateTable(path.join(dir, 'table.json'));
  let layout: BenchmarkLayout;
  let docsRoot: string;
  let documents: string[];
  if (await isDir(path.join(dir, 'docs'))) {
    layout = 'evaporate';
    docsRoot = path.join(dir, 'docs');
    documents = await listDocuments(docsRoot);
  } else if (await isFile(path.join(dir, 'docs.tar.gz'))) {
    layout = 'evaporate-tar';
    const unpacked = await unpackCached(path.join(dir, 'docs.tar.gz'), name, options.cacheDir ?? defaultCacheDir(), warnings);
    const all = await listDocuments(unpacked);
    // The release's archives hold the authors' folder tree (data/evaporate/...); the documents are below it.
    const common = commonFolder(all);
    docsRoot = common ? path.join(unpacked, ...common.split('/')) : unpacked;
    documents = common ? all.map((f) => f.slice(common.length + 1)) : all;
  } else {
    throw new Error(`${dir}: has table.json but neither a docs/ folder nor docs.tar.gz; put the documents next to the table`);
  }
  const gold = alignGoldToDocuments(table, documents, warnings);
  return { name, layout, root: dir, docsRoot, gold, attributes: gold.attributes, warnings };
}

async function loadSwdeSite(siteDir: string): Promise<BenchmarkSetting> {
  const folder = path.basename(siteDir);
  const match = SWDE_SITE.exec(folder);
  if (!match) throw new Error(`${siteDir}: not an SWDE site folder (expected <vertical>-<site>(<pages>))`);
  const [, vertical = '', site = '', pages = ''] = match;
  const parent = path.dirname(siteDir);
  const grandparent = path.dirname(parent);
  const candidates = [
    path.join(grandparent, 'groundtruth', vertical),
    path.join(parent, 'groundtruth', vertical),
    path.join(grandparent, 'groundtruth'),
    path.join(parent, 'groundtruth'),
    path.join(siteDir, 'groundtruth'),
  ];
  const warnings: string[] = [];
  let gold: GoldTable | null = null;
  for (const candidate of candidates) {
    gold = await readSwdeGold(candidate, vertical, site);
    if (gold) break;
  }
  const documents = (await listDocuments(siteDir)).filter((d) => !d.startsWith('groundtruth/'));
  if (documents.length !== Number(pages)) {
    warnings.push(`${folder}: the folder name promises ${pages} pages but ${documents.length} files are there`);
  }
  if (gold) {
    gold = alignGoldToDocuments(gold, documents, warnings);
  } else {
    warnings.push(
      `${folder}: no ground truth found (looked for ${vertical}-${site}-<attribute>.txt in ${candidates.join(', ')}); documents load without gold`,
    );
  }
  return {
    name: `${vertical}-${site}`,
    layout: 'swde',
    root: siteDir,
    docsRoot: siteDir,
    gold,
    attributes: gold?.attributes ?? [],
    warnings,
  };
}

/** Setting folders at or below `dir`, looking at most `depth` levels down and not inside a setting. */
async function findSettings(dir: string, depth: number): Promise<{ dir: string; kind: 'evaporate' | 'swde' }[]> {
  if (await isFile(path.join(dir, 'table.json'))) return [{ dir, kind: 'evaporate' }];
  if (SWDE_SITE.test(path.basename(dir))) return [{ dir, kind: 'swde' }];
  if (depth === 0) return [];
  const found: { dir: string; kind: 'evaporate' | 'swde' }[] = [];
  for (const sub of await subfolders(dir)) {
    if (sub === 'groundtruth') continue;
    found.push(...(await findSettings(path.join(dir, sub), depth - 1)));
  }
  return found;
}

/**
 * Loads every benchmark setting at `target`, detecting the layout:
 * - a folder with `table.json` (or the `table.json` itself): one Evaporate setting, documents in
 *   `docs/` or unpacked from `docs.tar.gz` into the cache;
 * - an SWDE site folder (`book-booksamillion(2000)`): one setting, its gold found in a
 *   `groundtruth/` folder next to the vertical (or next to the site);
 * - a folder holding settings up to three levels down (an SWDE vertical, the SWDE root, the
 *   Evaporate release's `data/`, or a mix): each setting found, in path order;
 * - anything else: one plain setting, documents only, no gold.
 */
export async function loadBenchmark(target: string, options: LoadBenchmarkOptions = {}): Promise<BenchmarkSetting[]> {
  const info = await stat(target).catch(() => null);
  if (!info) throw new Error(`${target}: no such file or folder; point at a benchmark folder (see datasets/manifests/)`);
  if (info.isFile()) {
    if (path.basename(target) !== 'table.json') {
      throw new Error(`${target}: is a file; point at the benchmark folder (the one holding table.json and docs/ or docs.tar.gz)`);
    }
    return [await loadEvaporate(path.resolve(path.dirname(target)), options)];
  }
  const dir = path.resolve(target);
  const found = await findSettings(dir, 3);
  if (found.length === 0) {
    return [{ name: path.basename(dir), layout: 'plain', root: dir, docsRoot: dir, gold: null, attributes: [], warnings: [] }];
  }
  const settings: BenchmarkSetting[] = [];
  for (const f of found) settings.push(f.kind === 'evaporate' ? await loadEvaporate(f.dir, options) : await loadSwdeSite(f.dir));
  return settings;
}
