/**
 * Value normalization for the metrics (../shared/docs/METHOD.md, "Metrics"), following the
 * `clean_comparison` step of the public Evaporate evaluation code so our numbers are comparable
 * with the published tables.
 */
import { load } from 'cheerio';

/** A cell as metrics accept it: one value, several values, or no value. */
export type MetricValue = string | readonly string[] | null | undefined;

// Tags (and comments) become spaces rather than nothing, so `<li>A</li><li>B</li>` stays two words.
const TAG = /<!--[\s\S]*?-->|<\/?[a-zA-Z!][^>]*>/g;
// Evaporate drops ' " ( ) , / [ ] : outright; we add the typographic quotes, which pages use for the same apostrophes.
const DROPPED = /['"(),/[\]:\u2018\u2019\u201c\u201d]/g;
// & - _ separate words (en and em dashes are typographic `-`); Evaporate also turns a stray < or > into a space.
const SEPARATORS = /[&\-_\u2013\u2014<>\s]+/g;

/** Strips tags and decodes entities (the full HTML5 table, via the HTML parser cheerio already ships). */
export function htmlToText(value: string): string {
  if (!/[<&]/.test(value)) return value;
  const withoutTags = value.replace(TAG, ' ');
  // Any `<` left is literal text; escaping it keeps the parser from reading a tag into it.
  return load(withoutTags.replace(/</g, '&lt;'), null, false).root().text();
}

/**
 * METHOD.md normalization of one value: HTML to text with entities decoded, lowercase, the
 * punctuation ' " ( ) , / [ ] : dropped, & - _ < > and whitespace runs turned into single spaces, trimmed.
 */
export function normalizeValue(value: string): string {
  return htmlToText(value).toLowerCase().replace(DROPPED, '').replace(SEPARATORS, ' ').trim();
}

/** A cell as a list of raw values: `null`/`undefined` is none, a string one, an array each of its elements. */
export function cellValues(cell: MetricValue): string[] {
  if (cell === null || cell === undefined) return [];
  return typeof cell === 'string' ? [cell] : [...cell];
}

// A comma between two digits is a thousands separator ("1,000"), not a list separator.
const LIST_COMMA = /(?<!\d),|,(?!\d)/;

/** A value's list items: split on list commas (not "1,000"). Votes and the metric read lists by this one rule. */
export function splitListItems(value: string): string[] {
  return value.split(LIST_COMMA);
}

/**
 * The cell's items for comparison as a set: every value split on list commas (so "a, b" and
 * ["b", "a"] are the same list), normalized, empty items dropped, duplicates removed, sorted.
 */
export function normalizedItemSet(cell: MetricValue): string[] {
  const items = new Set<string>();
  for (const value of cellValues(cell)) {
    for (const part of splitListItems(value)) {
      const item = normalizeValue(part);
      if (item) items.add(item);
    }
  }
  return [...items].sort();
}

/**
 * The cell as one normalized string in its own order: values normalized, empty and repeated ones
 * dropped, joined by spaces (Evaporate joins list values with ", " and then drops the comma).
 */
export function normalizedJoined(cell: MetricValue): string {
  const seen = new Set<string>();
  for (const value of cellValues(cell)) {
    const text = normalizeValue(value);
    if (text) seen.add(text);
  }
  return [...seen].join(' ');
}

/**
 * The values of a multi-valued cell, raw: each element of a list is one value, and so is a lone string, commas and
 * all ("Acme, Inc." is one party, where splitting on commas would make "Inc." another). Semicolons and line breaks
 * do separate values: no name contains them, and the CSV table joins several values with "; ".
 */
export function multiValueParts(cell: MetricValue): string[] {
  return cellValues(cell).flatMap((value) => value.split(/[;\n]/)).map((part) => part.trim()).filter(Boolean);
}

/** {@link multiValueParts} normalized, empty and repeated values dropped, sorted: the set a multi-valued cell names. */
export function normalizedValueSet(cell: MetricValue): string[] {
  return [...new Set(multiValueParts(cell).map(normalizeValue).filter(Boolean))].sort();
}
