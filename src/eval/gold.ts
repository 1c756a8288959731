/**
 * Gold tables and the readers for the two gold formats we know: Evaporate's `table.json` and the
 * original SWDE ground-truth files.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Known-correct values per document. An attribute with no value is an empty list, never absent. */
export interface GoldTable {
  attributes: string[];
  /** Keyed by document id: the path relative to the documents root, with `/` separators. */
  rows: Map<string, Record<string, string[]>>;
}

/** Document ids use `/` and carry no leading `./`, whatever the platform or tool that wrote them. */
export function normalizeDocId(id: string): string {
  return id.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * A cell from a JSON table as a list of values: strings trimmed (empty ones dropped), numbers and
 * booleans written out, nested lists flattened, null nothing. Objects are kept as their JSON text
 * so that nothing is silently lost.
 */
export function jsonCellValues(cell: unknown): string[] {
  if (cell === null || cell === undefined) return [];
  if (Array.isArray(cell)) return cell.flatMap(jsonCellValues);
  const text = typeof cell === 'string' ? cell : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  const trimmed = text.trim();
  return trimmed ? [trimmed] : [];
}

/**
 * Reads an Evaporate `table.json` (`{ "<file>": { "<attribute>": value | [values] } }`) with the
 * file keys as they are written. Keys missing from a record mean "no value"; the attributes are
 * the union of record keys in order of first appearance.
 */
export async function readEvaporateTable(file: string): Promise<GoldTable> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the gold table (${error instanceof Error ? error.message : String(error)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a JSON object mapping each document to its { attribute: value } record`);
  }
  const attributes: string[] = [];
  const seen = new Set<string>();
  const records: [string, Record<string, unknown>][] = [];
  for (const [key, record] of Object.entries(parsed)) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new Error(`${file}: the record for '${key}' is not an object of { attribute: value }`);
    }
    for (const attribute of Object.keys(record)) {
      if (!seen.has(attribute)) {
        seen.add(attribute);
        attributes.push(attribute);
      }
    }
    records.push([normalizeDocId(key), record as Record<string, unknown>]);
  }
  const rows = new Map<string, Record<string, string[]>>();
  for (const [doc, record] of records) {
    rows.set(doc, Object.fromEntries(attributes.map((a) => [a, jsonCellValues(record[a])])));
  }
  return { attributes, rows };
}

/** One SWDE ground-truth file: `<vertical>\t<site>\t<attribute>`, a counts line, then one line per page. */
export interface SwdeGroundTruth {
  vertical: string;
  site: string;
  attribute: string;
  /** Page id (e.g. `0000`) to its values; `<NULL>` becomes an empty list. */
  pages: Map<string, string[]>;
}

export function parseSwdeGroundTruth(text: string, source: string): SwdeGroundTruth {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.split('\t').map((s) => s.trim()) ?? [];
  if (header.length < 3 || lines.length < 2) {
    throw new Error(`${source}: not an SWDE ground-truth file (expected 'vertical<TAB>site<TAB>attribute', a counts line, then one line per page)`);
  }
  const pages = new Map<string, string[]>();
  for (let i = 2; i < lines.length; i += 1) {
    const [pageId, count, ...values] = lines[i]!.split('\t');
    if (!pageId || count === undefined) {
      throw new Error(`${source}:${i + 1}: expected 'page-id<TAB>number-of-values<TAB>values...'`);
    }
    const kept = values.map((v) => v.trim()).filter((v) => v !== '' && v !== '<NULL>');
    pages.set(pageId.trim(), kept);
  }
  return { vertical: header[0]!, site: header[1]!, attribute: header[2]!, pages };
}

/**
 * The gold table of one SWDE site from the ground-truth files named `<vertical>-<site>-<attribute>.txt`
 * in `folder`. Page id `0000` becomes document id `0000.htm` (pages sit directly in the site folder).
 * Returns null when the folder holds no file for the site.
 */
export async function readSwdeGold(folder: string, vertical: string, site: string): Promise<GoldTable | null> {
  const prefix = `${vertical}-${site}-`;
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.startsWith(prefix) && n.endsWith('.txt')).sort();
  } catch {
    return null;
  }
  if (names.length === 0) return null;
  const attributes: string[] = [];
  const rows = new Map<string, Record<string, string[]>>();
  for (const name of names) {
    const source = path.join(folder, name);
    const truth = parseSwdeGroundTruth(await readFile(source, 'utf8'), source);
    if (truth.vertical !== vertical || truth.site !== site) {
      throw new Error(`${source}: header names ${truth.vertical}/${truth.site}, but the file name says ${vertical}/${site}`);
    }
    attributes.push(truth.attribute);
    for (const [pageId, values] of truth.pages) {
      const doc = `${pageId}.htm`;
      const row = rows.get(doc) ?? {};
      row[truth.attribute] = values;
      rows.set(doc, row);
    }
  }
  // A page listed in one attribute's file but not another's has no value for the latter.
  for (const row of rows.values()) for (const a of attributes) row[a] ??= [];
  return { attributes, rows };
}
