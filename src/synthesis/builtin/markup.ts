/**
 * Drafts from structured markup in HTML views: `<meta>` name/property keys (Open Graph and the like),
 * `itemprop` microdata, JSON-LD keys, class and id names that mention the attribute, and, for
 * title-like attributes, `<title>` and the headings. Keys are learned from the sample: only those that
 * occur there and whose words refer to the attribute become drafts.
 */
import { shaped, shapesFor, strategyName, type Draft } from './draft.ts';
import { literal } from './runtime.ts';
import type { SampleDoc } from './sample.ts';
import { escapeRegExp, labelAffinity, nameWords, type AttributeProfile } from './words.ts';

interface Key {
  value: string;
  docs: Set<string>;
  affinity: number;
}

/** Keys seen in the sample by `extract`, with the documents they occur in, filtered by affinity. */
function keysInSample(
  sample: readonly SampleDoc[],
  profile: AttributeProfile,
  extract: (view: string) => Iterable<string>,
  words: (key: string) => string,
): Key[] {
  const keys = new Map<string, Key>();
  for (const doc of sample) {
    if (!doc.html) continue;
    for (const value of extract(doc.view)) {
      const affinity = labelAffinity(words(value), profile);
      if (affinity === 0) continue;
      const key = keys.get(value) ?? { value, docs: new Set<string>(), affinity };
      key.docs.add(doc.id);
      keys.set(value, key);
    }
  }
  return [...keys.values()].sort((a, b) => b.affinity - a.affinity || b.docs.size - a.docs.size || a.value.localeCompare(b.value));
}

function* matches(view: string, regex: RegExp): Iterable<string> {
  for (const match of view.matchAll(regex)) yield match[1]!;
}

const META_KEY = /<meta\b[^>]*\s(?:name|property|itemprop)="([^"]+)"[^>]*>/g;
const ITEMPROP = /<[a-z][a-z0-9]*\b[^>]*\sitemprop="([^"]+)"/g;
const CLASS_OR_ID = /<[a-z][a-z0-9]*\b[^>]*\s(?:class|id)="([^"]+)"/g;

/** "og:title" -> "title", "video:release_date" -> "release date": the part after the namespace. */
const metaWords = (key: string): string => nameWords(key.slice(key.lastIndexOf(':') + 1)).join(' ');
const plainWords = (key: string): string => nameWords(key).join(' ');

function jsonLdKeys(view: string): string[] {
  const keys: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 8) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('@')) keys.push(key.toLowerCase());
      visit(value, depth + 1);
    }
  };
  for (const match of view.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)) {
    try {
      visit(JSON.parse(match[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>')), 0);
    } catch {
      // A page's broken JSON-LD simply offers no keys.
    }
  }
  return keys;
}

/** Drafts for a list-valued locator: the first shaped value, and for multi-valued attributes all of them. */
function listDrafts(profile: AttributeProfile, strategy: string, list: string, rank: number, proxy?: (expression: string) => string): Draft[] {
  return shapesFor(profile).map((shape, k) => {
    const expression = shaped(list, shape, profile.multi);
    return { strategy: strategyName(strategy, shape), family: 'markup', expression, rank: rank + k, ...(proxy ? { proxy: proxy(expression) } : {}) };
  });
}

export function markupDrafts(profile: AttributeProfile, sample: readonly SampleDoc[], limit = 3): Draft[] {
  const drafts: Draft[] = [];
  keysInSample(sample, profile, (v) => matches(v, META_KEY), metaWords)
    .slice(0, limit)
    .forEach((key, i) => drafts.push(...listDrafts(profile, 'meta', `metaContents(doc, ${literal(key.value.toLowerCase())})`, i * 10)));

  keysInSample(sample, profile, (v) => matches(v, ITEMPROP), plainWords)
    .slice(0, limit)
    .forEach((key, i) => {
      const open = literal(`\\sitemprop="${escapeRegExp(key.value)}"`);
      drafts.push(...listDrafts(profile, 'itemprop', `elementTexts(doc, ${open})`, i * 10));
      if (i === 0) {
        // The same element through `$`, as a model-written function would find it.
        const selector = literal(`[itemprop="${key.value}"]`);
        const shape = shapesFor(profile)[0]!;
        drafts.push({
          strategy: 'dom-itemprop',
          family: 'markup',
          expression: `typeof $ === 'function' ? ${shaped(`[$(${selector}).first().attr('content') || $(${selector}).first().text()]`, shape)} : null`,
          rank: 5,
          proxy: shaped(`elementTexts(doc, ${open}).slice(0, 1)`, shape),
        });
      }
    });

  const jsonKeys = keysInSample(sample, profile, jsonLdKeys, plainWords);
  jsonKeys.slice(0, limit).forEach((key, i) => {
    const list = `jsonLdValues(doc, ${literal([key.value])})`;
    shapesFor(profile).forEach((shape, k) => {
      const expression = profile.multi
        ? shaped(`${list}.map(function (names) { return names.join(', '); })`, shape)
        : shaped(`${list}.map(function (names) { return names[0]; })`, shape);
      drafts.push({ strategy: strategyName('jsonld', shape), family: 'markup', expression, rank: i * 10 + k });
    });
  });

  keysInSample(sample, profile, (v) => matches(v, CLASS_OR_ID), plainWords)
    .slice(0, limit)
    .forEach((key, i) => {
      const open = literal(`\\s(?:class|id)="${escapeRegExp(key.value)}"`);
      drafts.push(...listDrafts(profile, 'class', `elementTexts(doc, ${open})`, 20 + i * 10));
      if (i === 0) {
        const selector = literal(`[class="${key.value}"], [id="${key.value}"]`);
        const shape = shapesFor(profile)[0]!;
        drafts.push({
          strategy: 'dom-class',
          family: 'markup',
          expression: `typeof $ === 'function' ? ${shaped(`[$(${selector}).first().text()]`, shape)} : null`,
          rank: 25,
          proxy: shaped(`elementTexts(doc, ${open}).slice(0, 1)`, shape),
        });
      }
    });

  if (profile.kind === 'title') drafts.push(...titleDrafts());
  return drafts;
}

/** A page's title as its headings and `<title>` give it, with and without decorations. */
function titleDrafts(): Draft[] {
  const list: [string, string][] = [
    ['heading-in-title', 'cleanValue(headingInTitle(doc))'],
    ['title-tag', 'cleanValue(titleHead(titleText(doc)))'],
    ['title-tag:bare', 'dropParens(cleanValue(titleHead(titleText(doc))))'],
    ['title-tag:before-by', `cleanValue(String(titleHead(titleText(doc)) || '').split(/\\s+by\\s+/i)[0])`],
    ['title-tag:raw', 'cleanValue(titleText(doc))'],
    ['heading:h1', 'firstValue(headingTexts(doc, 1), cleanValue)'],
    ['heading:h1:bare', 'firstValue(headingTexts(doc, 1), dropParens)'],
    ['heading:h2', 'firstValue(headingTexts(doc, 2), cleanValue)'],
  ];
  return list.map(([strategy, expression], rank) => ({ strategy, family: 'markup', expression, rank }));
}
