/**
 * Attribute discovery without a model (open IE): the label-like keys that recur across the sample
 * documents, with a value next to them. Keys come from `Label: value` lines, table rows (a header cell
 * and its value cell, or a header row over a value row), `dt`/`dd` pairs, blocks whose class marks
 * them as a label, `itemprop` microdata, `<meta>` properties and JSON-LD. They are normalized to
 * snake_case and ranked by how many sample documents contain them.
 */
import type { CorpusDocument } from '../corpus/index.ts';
import { readSample, type SampleDoc } from '../synthesis/builtin/sample.ts';
import { nameWords } from '../synthesis/builtin/words.ts';
import { DEFAULTS } from '../core/settings.ts';
import type { DiscoveredAttribute } from './names.ts';
import { mergeSynonyms } from './synonyms.ts';

export type { DiscoveredAttribute } from './names.ts';


export interface DiscoveryOptions {
  /** At most this many attributes (default 20). */
  max?: number;
}

export const DEFAULT_MAX_ATTRIBUTES = DEFAULTS.maxAttributes;

/** A key and a value as one document shows them. */
interface Pair {
  key: string;
  value: string;
}

// Markup keys that describe the page or its plumbing, not the thing the page is about.
const PLUMBING = new Set([
  'viewport', 'robots', 'generator', 'theme_color', 'format_detection', 'referrer', 'charset', 'type', 'url', 'image', 'image_alt',
  'site_name', 'locale', 'card', 'site', 'creator', 'app_id', 'admins', 'keywords', 'context', 'id', 'logo', 'width', 'height',
  'verification', 'tile_color', 'tile_image', 'config', 'position', 'item_list_element', 'same_as', 'potential_action', 'target',
  'query_input', 'item_type', 'scope',
]);

const MAX_KEY_WORDS = 4;
const MAX_VALUE_CHARS = 200;

/** snake_case of a label, or null when it does not read like a field label. */
export function normalizeKey(label: string): string | null {
  const trimmed = label.trim().replace(/[:\uff1a]\s*$/u, '');
  if (trimmed === '' || trimmed.length > 40 || !/^\p{L}/u.test(trimmed)) return null;
  // A sentence or clause ("as follows", "Dear Sir,") is not a label.
  if (/[.,;!?]$/.test(trimmed) && !/\b[A-Za-z]{1,4}\.$/.test(trimmed)) return null;
  const words = nameWords(trimmed);
  if (words.length === 0 || words.length > MAX_KEY_WORDS) return null;
  // "by", "dd", "ve05": a key needs one real word.
  if (!words.some((w) => /^\p{L}{3,}$/u.test(w))) return null;
  return words.join('_');
}

function cleanValue(value: string): string | null {
  const v = value.replace(/\s+/g, ' ').trim().replace(/^[:\uff1a\-–—=|]+\s*/u, '');
  return v !== '' && v.length <= MAX_VALUE_CHARS && /[\p{L}\p{N}]/u.test(v) ? v : null;
}

const COLON = /^([^\t:\uff1a]{1,40}?)\s*[:\uff1a]\s*(.*)$/u;

/** `Label: value` lines, `Label<TAB>value` cells, and a short label line over its value line. */
function linePairs(doc: SampleDoc): Pair[] {
  const pairs: Pair[] = [];
  doc.lines.forEach((line, i) => {
    const cells = line.split('\t');
    if (cells.length >= 2) {
      for (let c = 0; c + 1 < cells.length; c += 2) pairs.push({ key: cells[c]!, value: cells[c + 1]! });
      return;
    }
    const colon = COLON.exec(line);
    if (!colon) return;
    const rest = colon[2]!.trim();
    const next = doc.lines[i + 1];
    // "PARTIES:" over its value; long next lines are prose, not a value.
    const value = rest !== '' ? rest : next !== undefined && next.length <= 60 && !COLON.test(next) ? next : '';
    pairs.push({ key: colon[1]!, value });
  });
  return pairs;
}

function text(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .replace(/ ([,;:!?])/g, '$1')
    .trim();
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** dt/dd pairs, header rows over value rows, and blocks whose class or id says they are a label. */
function markupPairs(view: string): Pair[] {
  const pairs: Pair[] = [];
  for (const m of view.matchAll(/<dt\b[^>]*>([\s\S]*?)<\/dt>\s*<dd\b[^>]*>([\s\S]*?)<\/dd>/gi)) {
    pairs.push({ key: text(m[1]!), value: text(m[2]!) });
  }
  const rows = [...view.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/gi)].map((m) => m[1]!);
  rows.forEach((row, i) => {
    const heads = [...row.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/gi)].map((m) => text(m[1]!));
    if (heads.length < 2 || /<td\b/i.test(row)) return;
    const next = rows[i + 1];
    const cells = next ? [...next.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/gi)].map((m) => text(m[1]!)) : [];
    if (cells.length === heads.length) heads.forEach((key, c) => pairs.push({ key, value: cells[c]! }));
  });
  const lines = view.split('\n');
  lines.forEach((line, i) => {
    const open = /^<([a-z][a-z0-9]*)\b[^>]*>/i.exec(line);
    if (!open) return;
    const marker = `${attribute(open[0], 'class') ?? ''} ${attribute(open[0], 'id') ?? ''}`;
    if (!/(?:^|[\s_-])(?:label|key|field|caption|term|prop(?:erty)?[_-]?name)(?:$|[\s_-])/i.test(marker)) return;
    const next = lines[i + 1];
    if (next !== undefined) pairs.push({ key: text(line), value: text(next) });
  });
  return pairs;
}

/** itemprop, meta name/property and JSON-LD keys with their values. */
function structuredPairs(view: string): Pair[] {
  const pairs: Pair[] = [];
  for (const m of view.matchAll(/<meta\b[^>]*>/gi)) {
    const key = attribute(m[0], 'property') ?? attribute(m[0], 'name') ?? attribute(m[0], 'itemprop');
    const content = attribute(m[0], 'content');
    // A page's summary is about the page, not a field of the thing it describes.
    if (key && content && !/(?:^|:)description$/i.test(key)) pairs.push({ key: key.slice(key.lastIndexOf(':') + 1), value: text(content) });
  }
  // The thing a page is about is named by its main heading (else its <title>, without the site name).
  const heading = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(view) ?? /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(view);
  if (heading) pairs.push({ key: 'title', value: text(heading[1]!).split(/\s+[|\u2013\u2014\u00b7-]\s+|:\s+(?=[^:]*$)/)[0]! });
  for (const m of view.matchAll(/<([a-z][a-z0-9]*)\b([^>]*\sitemprop="([^"]+)"[^>]*)>([\s\S]*?)<\/\1>/gi)) {
    const content = attribute(m[2]!, 'content') ?? attribute(m[2]!, 'datetime');
    // An item that holds other items (a Person, a Rating) is described by those.
    if (/\sitemtype="/.test(m[2]!) && content === undefined) continue;
    pairs.push({ key: m[3]!, value: content ?? text(m[4]!) });
  }
  for (const m of view.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)) {
    try {
      jsonLdPairs(JSON.parse(m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>')), pairs, 0);
    } catch {
      // Broken JSON-LD offers no keys.
    }
  }
  return pairs;
}

function jsonLdPairs(node: unknown, out: Pair[], depth: number): void {
  if (node === null || typeof node !== 'object' || depth > 6) return;
  if (Array.isArray(node)) {
    for (const item of node) jsonLdPairs(item, out, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) continue;
    const items = Array.isArray(value) ? value : [value];
    const values = items.map((v: unknown) =>
      typeof v === 'string' || typeof v === 'number'
        ? String(v)
        : v !== null && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string'
          ? (v as { name: string }).name
          : null,
    );
    // Only the top item's own fields: a nested object's fields describe that object.
    if (depth <= 1 && values.every((v) => v !== null)) out.push({ key, value: values.join(', ') });
    else jsonLdPairs(value, out, depth + 1);
  }
}

interface Tally {
  /** document id -> the first value it gives */
  docs: Map<string, string>;
  occurrences: number;
  values: string[];
  firstSeen: number;
}

/**
 * Recurring label-like keys across the sample, most widespread first. A key must come with a value;
 * keys of page plumbing (viewport, og:url, ...) and keys whose value is the same in every document
 * where they recur (navigation, boilerplate) are left out.
 */
export function discoverAttributesBuiltin(sample: CorpusDocument[], options: DiscoveryOptions = {}): DiscoveredAttribute[] {
  const max = options.max ?? DEFAULT_MAX_ATTRIBUTES;
  if (!Number.isInteger(max) || max < 1) throw new Error(`discoverAttributesBuiltin: max must be a positive integer, got ${max}`);
  const tallies = new Map<string, Tally>();
  let order = 0;
  for (const doc of readSample(sample)) {
    const pairs = [...linePairs(doc), ...(doc.html ? [...markupPairs(doc.view), ...structuredPairs(doc.view)] : [])];
    for (const pair of pairs) {
      const key = normalizeKey(pair.key);
      const value = cleanValue(pair.value);
      if (key === null || value === null || PLUMBING.has(key) || normalizeKey(value) === key) continue;
      const tally = tallies.get(key) ?? { docs: new Map<string, string>(), occurrences: 0, values: [], firstSeen: order++ };
      if (!tally.docs.has(doc.id)) tally.docs.set(doc.id, value);
      tally.occurrences += 1;
      if (!tally.values.includes(value)) tally.values.push(value);
      tallies.set(key, tally);
    }
  }
  const minimum = sample.length >= 4 ? 2 : 1;
  const ranked = [...tallies.entries()]
    // A key whose value never varies across the documents stating it is page furniture (opening hours, a
    // carousel's card), not a field of the document.
    .filter(([, t]) => t.docs.size >= minimum && !(t.docs.size >= 2 && t.values.length === 1))
    .sort(([, a], [, b]) => b.docs.size - a.docs.size || b.occurrences - a.occurrences || a.firstSeen - b.firstSeen);
  return mergeSynonyms(ranked.map(([name, t]) => ({ name, values: t.docs, examples: t.values.slice(0, 3) }))).slice(0, max);
}
