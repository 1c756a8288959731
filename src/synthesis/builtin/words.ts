/**
 * What the built-in synthesizer knows about an attribute before it looks at any document: the words of
 * its name, the labels a document may use for it (a small generic synonym table), the kind of value it
 * holds, and the form the user asked for. Nothing here refers to a particular site or dataset.
 */
import type { AttributeSpec } from '../../core/attributes.ts';

/** The kinds of value that have a dedicated pattern. */
export type ValueKind =
  | 'date'
  | 'year'
  | 'isbn'
  | 'money'
  | 'phone'
  | 'email'
  | 'url'
  | 'duration'
  | 'period'
  | 'number'
  | 'person'
  | 'organization'
  | 'address'
  | 'place'
  | 'party'
  | 'title'
  | 'text';

export interface AttributeProfile {
  name: string;
  /** Lowercase words of the name ("publication_date" -> publication, date). */
  words: string[];
  /** Label phrases, most specific first: the name itself, then synonyms. */
  labels: string[];
  /** The subset of labels that stand for the whole name (not just one of its words). */
  strongLabels: string[];
  kind: ValueKind;
  /** The kind's qualifier: "13" or "10" for ISBNs. */
  variant?: string;
  /** True when the attribute is expected to hold several values (plural name, "list of" description). */
  multi: boolean;
  /** Date form with YYYY/MM/DD tokens when the form or description names one. */
  dateForm?: string;
}

/**
 * Generic label synonyms. Each group lists phrases that documents use for one notion; a group applies
 * when the attribute's full name or one of its words is in it.
 */
const SYNONYMS: readonly (readonly string[])[] = [
  ['date', 'dated'],
  ['publication date', 'published', 'pub date', 'publish date', 'date published', 'publication', 'release date', 'on sale', 'date'],
  ['release date', 'released', 'release', 'premiered', 'premiere', 'opening', 'first aired', 'date'],
  ['effective date', 'effective as of', 'dated as of', 'as of', 'effective', 'commencement date', 'entered into as of', 'made as of', 'dated'],
  ['author', 'authors', 'by', 'written by', 'writer', 'writers'],
  ['director', 'directors', 'directed by', 'filmmaker', 'dir'],
  ['title', 'name', 'headline'],
  ['company', 'vendor', 'seller', 'store', 'merchant', 'shop', 'business', 'supplier', 'organization', 'company name'],
  ['address', 'location', 'addr', 'street address'],
  ['phone', 'telephone', 'tel', 'phone number', 'mobile', 'contact number', 'hp'],
  ['fax', 'facsimile'],
  ['email', 'e-mail', 'mail', 'email address'],
  ['total', 'grand total', 'total amount', 'amount due', 'balance due', 'total due', 'total payable', 'net total', 'amount', 'total rm', 'rounded total'],
  ['price', 'cost', 'our price', 'sale price', 'list price', 'online price', 'amount'],
  ['isbn', 'isbn-13', 'isbn13', 'isbn-10', 'isbn10', 'ean'],
  ['publisher', 'published by', 'imprint'],
  ['runtime', 'running time', 'run time', 'length', 'duration'],
  ['genre', 'genres', 'category', 'categories', 'tags'],
  ['rating', 'user rating', 'score', 'stars', 'rated', 'average rating'],
  ['party', 'parties', 'between'],
  ['jurisdiction', 'governing law', 'laws of', 'governed by', 'venue'],
  ['term', 'period', 'duration', 'for a period of', 'term of'],
  ['year', 'yr'],
  ['url', 'website', 'web', 'homepage', 'link', 'web site'],
  ['studio', 'production company', 'production', 'produced by'],
  ['cast', 'starring', 'actors', 'stars'],
  ['pages', 'page count', 'number of pages', 'pp'],
  ['language', 'languages'],
  ['country', 'countries', 'country of origin'],
  ['salary', 'pay', 'compensation', 'wage'],
  ['employer', 'company', 'organization'],
];

const STOP = new Set(['of', 'the', 'a', 'an', 'and', 'or', 'in', 'on', 'for', 'to', 'by', 'at', 'with', 'is', 'value', 'field']);
// Words that never make a label by themselves; "by" does ("by Jane Roe"), so it is not among them.
const NOT_LABELS = new Set(['of', 'the', 'a', 'an', 'and', 'or', 'in', 'on', 'for', 'to', 'at', 'with', 'is', 'value', 'field']);

/** Lowercase words of a name: snake_case, kebab-case, camelCase and spaces all split. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** Singular of a simple English plural ("genres" -> "genre", "parties" -> "party"). */
export function singular(word: string): string {
  if (/ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (/s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

function isPlural(word: string): boolean {
  return singular(word) !== word;
}

const KIND_RULES: readonly [RegExp, ValueKind][] = [
  [/\bisbn/, 'isbn'],
  [/\b(?:e-?mail)\b/, 'email'],
  [/\b(?:url|website|homepage|web site|link)\b/, 'url'],
  [/\b(?:phone|telephone|tel|fax|mobile)\b/, 'phone'],
  [/\b(?:runtime|running time|run time)\b/, 'duration'],
  [/\b(?:term|tenure)\b/, 'period'],
  [/\b(?:date|dated|birthday|dob|published|released)\b/, 'date'],
  [/\b(?:year)\b/, 'year'],
  [/\b(?:total|price|cost|amount|subtotal|fee|tax|balance|salary|paid|revenue)\b/, 'money'],
  [/\b(?:rating|score|count|number of|quantity|qty|pages)\b/, 'number'],
  [/\b(?:jurisdiction|governing law|venue)\b/, 'place'],
  [/\b(?:party|parties)\b/, 'party'],
  [/\b(?:address)\b/, 'address'],
  [/\b(?:company|vendor|seller|merchant|store|shop|supplier|organi[sz]ation|employer|publisher|studio|manufacturer|brand)\b/, 'organization'],
  [/\b(?:author|director|writer|artist|composer|actor|person|producer|editor|creator|owner|manager|ceo)\b/, 'person'],
  [/\b(?:duration|length)\b/, 'duration'],
  [/\b(?:title|headline|heading)\b/, 'title'],
];

function kindOf(text: string): ValueKind | undefined {
  for (const [pattern, kind] of KIND_RULES) if (pattern.test(text)) return kind;
  return undefined;
}

/**
 * A date form from the attribute's form or description: "YYYY-MM-DD", "DD/MM/YYYY", "ISO 8601" and so on.
 * Undefined means "as written in the document".
 */
export function dateFormOf(spec: AttributeSpec): string | undefined {
  for (const text of [spec.form, spec.description]) {
    if (!text) continue;
    const tokens = /\b(?:YYYY|YY|DD|D|MM|M|MMMM|MMM)(?:[-/. ,]+(?:YYYY|YY|DD|D|MM|M|MMMM|MMM)){1,2}\b/.exec(text);
    if (tokens) return tokens[0];
    if (/\biso[- ]?8601\b|\biso date\b/i.test(text)) return 'YYYY-MM-DD';
  }
  return undefined;
}

function uniq(list: string[]): string[] {
  return [...new Set(list.filter((x) => x !== ''))];
}

/** Everything the synthesizer derives from an attribute's name, description and form. */
export function profileAttribute(spec: AttributeSpec): AttributeProfile {
  const words = nameWords(spec.name);
  if (words.length === 0) throw new Error(`Attribute name '${spec.name}' has no letters or digits; give it a readable name such as 'release_date'.`);
  const phrase = words.join(' ');
  const content = words.filter((w) => !STOP.has(w) && !/^\d+$/.test(w));
  const singularPhrase = words.map(singular).join(' ');

  const strong: string[] = [phrase, singularPhrase];
  const weak: string[] = [];
  for (const group of SYNONYMS) {
    if (group.includes(phrase) || group.includes(singularPhrase)) strong.push(...group);
  }
  // The last word usually names the thing ("publication date" is a date), so its synonyms come first.
  const ordered = [...content].reverse();
  for (const word of ordered) {
    const single = singular(word);
    weak.push(word, single);
    for (const group of SYNONYMS) if (group.includes(word) || group.includes(single)) weak.push(...group);
  }
  const strongLabels = uniq(strong);
  const labels = uniq([...strongLabels, ...weak]).filter((l) => !NOT_LABELS.has(l));

  const described = [phrase, spec.description ?? '', spec.form ?? ''].join(' ').toLowerCase();
  const kind = kindOf(phrase) ?? kindOf(described) ?? 'text';
  const variant = kind === 'isbn' ? (/\b13\b|isbn13/.test(phrase) ? '13' : /\b10\b|isbn10/.test(phrase) ? '10' : undefined) : undefined;
  const multi =
    content.some(isPlural) || /\b(?:list of|one or more|all (?:the )?|each of|every)\b/i.test(spec.description ?? '') || kind === 'party';
  const dateForm = kind === 'date' ? dateFormOf(spec) : undefined;
  return {
    name: spec.name,
    words: content.length > 0 ? content : words,
    labels,
    strongLabels: strongLabels.filter((l) => !NOT_LABELS.has(l)),
    kind,
    ...(variant !== undefined ? { variant } : {}),
    multi,
    ...(dateForm !== undefined ? { dateForm } : {}),
  };
}

/**
 * Word characters for boundaries inside candidate regular expressions: ASCII word characters and every
 * letter-range code point outside general punctuation. Unicode property classes (\p{L}) would say it
 * better, but V8 takes a fifth of a second to compile each such pattern to native code, per isolate.
 */
export const WORD_CHARS = '\\w\\u00c0-\\u1fff\\u2070-\\uffff';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A regular-expression source for a set of label phrases: words separated by any spacing, `_` or `-`,
 * ending where a word ends. Longer phrases come first so the alternation prefers them.
 */
export function labelPattern(labels: readonly string[]): string {
  const sorted = [...new Set(labels)].sort((a, b) => b.length - a.length);
  const parts = sorted.map((label) =>
    label
      .split(/[\s_-]+/)
      .filter((w) => w !== '')
      .map(escapeRegExp)
      .join('[\\s_.-]*'),
  );
  return `(?:${parts.join('|')})(?![${WORD_CHARS}])`;
}

/** How strongly a label text (as seen in a document) refers to the attribute: 0 = not at all. */
export function labelAffinity(label: string, profile: AttributeProfile): number {
  const text = nameWords(label).join(' ');
  if (text === '') return 0;
  const words = text.split(' ');
  let best = 0;
  for (const candidate of profile.labels) {
    const strong = profile.strongLabels.includes(candidate) ? 2 : 1;
    if (text === candidate) best = Math.max(best, 2 + strong);
    else if (` ${text} `.includes(` ${candidate} `)) best = Math.max(best, strong);
  }
  // "Pub. Date", "Published": a shared stem of five letters or more with a name word.
  for (const word of profile.words) {
    if (word.length >= 5 && words.some((w) => w.length >= 5 && w.slice(0, 5) === word.slice(0, 5))) best = Math.max(best, 1);
  }
  return best;
}

export { escapeRegExp };
