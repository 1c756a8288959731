/**
 * Label-anchored drafts: the attribute's name or a synonym followed by its value on the same line, in
 * the next table cell, or on the next line (dt/dd, label and value in sibling blocks); the exact label
 * texts the sample uses; and the phrases that most often precede a value of the attribute's kind.
 */
import { shaped, shapesFor, strategyName, type Draft, type Shape } from './draft.ts';
import { hostFunction, literal } from './runtime.ts';
import type { SampleDoc } from './sample.ts';
import { WORD_CHARS, labelAffinity, labelPattern, escapeRegExp, nameWords, type AttributeProfile } from './words.ts';

const LEAD = `(?:^|\\t)[^${WORD_CHARS}\\t]{0,3}`;
const START = `^[^${WORD_CHARS}\\t]{0,3}`;
const BOUNDARY = `(?<![${WORD_CHARS}])`;
const QUALIFIER = '\\s*(?:\\([^)\\t]{0,20}\\)\\s*)?';
// A colon, an equals sign, a spaced dash, or dot leaders ("director ..... Jane Roe").
const SEPARATOR = '(?:[:\\uff1a=]|\\s[-\\u2013\\u2014](?=\\s)|\\s*(?:\\.{2,}|\\u2026+))\\s*';

/** A label structure: how the label sits in a line and where its value is. */
interface Structure {
  strategy: string;
  /** Regular-expression source around the label pattern `L`; group 1 is the value (when there is one). */
  regex(label: string): string;
  /** Helper that turns matching lines into located values. */
  locate: 'labelValues' | 'nextLineValues' | 'labelOrNextValues';
}

const LINE: Structure = {
  strategy: 'label-line',
  regex: (l) => `${START}${l}${QUALIFIER}${SEPARATOR}([^\\t]*)`,
  locate: 'labelOrNextValues',
};
const CELL: Structure = { strategy: 'table-cell', regex: (l) => `${LEAD}${l}\\s*[:\\uff1a]?\\s*\\t([^\\t]+)`, locate: 'labelValues' };
const NEXT: Structure = { strategy: 'label-next', regex: (l) => `${START}${l}\\s*[:\\uff1a]?\\s*$`, locate: 'nextLineValues' };
const LOOSE: Structure = { strategy: 'label-start', regex: (l) => `${LEAD}${l}([^\\t]*)`, locate: 'labelValues' };
const INLINE: Structure = { strategy: 'label-inline', regex: (l) => `${BOUNDARY}${l}${QUALIFIER}[:\\uff1a]\\s*([^\\t]*)`, locate: 'labelValues' };
// For kinds with a pattern the value is recognisable by itself, so any text may sit between label and value.
const INLINE_TYPED: Structure = { strategy: 'label-inline', regex: (l) => `${BOUNDARY}${l}([^\\t]*)`, locate: 'labelValues' };

const TYPED = new Set(['date', 'year', 'isbn', 'money', 'phone', 'email', 'url', 'duration', 'period', 'number', 'place']);

function located(structure: Structure, labelRegex: string, last: boolean): string {
  const regex = `new RegExp(${literal(structure.regex(labelRegex))}, "i")`;
  const call = `${structure.locate}(lines, ${regex})`;
  return last ? `${call}.reverse()` : call;
}

/** Drafts for one label regex under every structure, shape and occurrence order. */
function structuredDrafts(
  profile: AttributeProfile,
  labelRegex: string,
  structures: readonly Structure[],
  family: Draft['family'],
  prefix: string,
  baseRank: number,
  fallback = false,
): Draft[] {
  const shapes = shapesFor(profile);
  // Totals and similar sums come last in a document; everything else is usually stated first.
  const lastFirst = profile.kind === 'money';
  const drafts: Draft[] = [];
  structures.forEach((structure, s) => {
    shapes.forEach((shape: Shape, k) => {
      for (const last of [lastFirst, !lastFirst]) {
        drafts.push({
          strategy: strategyName(`${prefix}${structure.strategy}${last ? ':last' : ''}`, shape),
          family,
          expression: shaped(located(structure, labelRegex, last), shape),
          rank: baseRank + s * 10 + k * 3 + (last === lastFirst ? 0 : 1),
          ...(fallback && k === 0 && last === lastFirst ? { fallback } : {}),
        });
      }
    });
  });
  return drafts;
}

/** Generic label drafts from the name and the synonym table. */
export function genericLabelDrafts(profile: AttributeProfile): Draft[] {
  const typed = TYPED.has(profile.kind);
  const structures = [LINE, CELL, NEXT, LOOSE, typed ? INLINE_TYPED : INLINE];
  const strong = labelPattern(profile.strongLabels);
  const drafts = structuredDrafts(profile, strong, structures, 'label', '', 0, true);
  if (profile.kind === 'person') drafts.push(...bylineDrafts(profile));
  if (profile.labels.length > profile.strongLabels.length) {
    drafts.push(...structuredDrafts(profile, labelPattern(profile.labels), structures, 'label', 'any-', 100));
  }
  if (typed) {
    // In prose the value may follow its label across a line break.
    const regex = `new RegExp(${literal(`${BOUNDARY}${strong}([^\\t]{0,80})`)}, "gi")`;
    drafts.push({ strategy: 'label-prose', family: 'label', expression: shaped(`matchValues(flow, ${regex})`, shapesFor(profile)[0]!), rank: 60 });
  }
  if (profile.kind === 'money') {
    // "The largest amount near a total label": sub-totals and taxes are smaller than the total.
    const regex = `new RegExp(${literal(INLINE_TYPED.regex(strong))}, "i")`;
    drafts.push({ strategy: 'label-max', family: 'label', expression: `pickAmount(labelValues(lines, ${regex}).join(' '), 'max')`, rank: 61 });
  }
  return drafts;
}

/**
 * "Directed by Jane Roe", "A film by Jane Roe": a label ending in "by" needs no colon, and the name is
 * the run of capitalised words after it.
 */
function bylineDrafts(profile: AttributeProfile): Draft[] {
  const labels = profile.strongLabels.filter((l) => /(?:^|\s)by$/.test(l));
  if (labels.length === 0) return [];
  const regex = `new RegExp(${literal(`${BOUNDARY}${labelPattern(labels)}\\s+([^\\t]{1,120})`)}, "i")`;
  return [
    { strategy: 'byline', family: 'label', expression: `firstValue(labelValues(lines, ${regex}), pickNames)`, rank: 55, fallback: true },
    { strategy: 'byline:first', family: 'label', expression: `firstValue(labelValues(lines, ${regex}), pickName)`, rank: 56 },
  ];
}

/** A label as the sample writes it, and how it sits. */
interface SeenLabel {
  text: string;
  structure: Structure;
  docs: Set<string>;
  affinity: number;
}

const COLON_LABEL = /^([^\t:\uff1a]{1,40}?)\s*[:\uff1a]/u;

function labelCandidates(line: string, next: string | undefined): [string, Structure][] {
  const out: [string, Structure][] = [];
  const colon = COLON_LABEL.exec(line);
  if (colon) out.push([colon[1]!, LINE]);
  const cells = line.split('\t');
  for (let i = 0; i + 1 < cells.length; i++) out.push([cells[i]!.replace(/[:\uff1a]\s*$/u, ''), CELL]);
  if (next !== undefined && line.length <= 40 && line.split(' ').length <= 5 && !line.includes('\t')) {
    out.push([line.replace(/[:\uff1a]\s*$/u, ''), NEXT]);
  }
  return out.filter(([label]) => /\p{L}/u.test(label) && label.length <= 40 && label.split(' ').length <= 6);
}

/** Exact label texts from the sample that refer to the attribute, each with the structure it was seen in. */
export function learnedLabels(profile: AttributeProfile, sample: readonly SampleDoc[]): SeenLabel[] {
  const seen = new Map<string, SeenLabel>();
  for (const doc of sample) {
    doc.lines.forEach((line, i) => {
      for (const [label, structure] of labelCandidates(line, doc.lines[i + 1])) {
        const affinity = labelAffinity(label, profile);
        if (affinity === 0) continue;
        const text = label.trim().replace(/\s+/g, ' ');
        const key = `${structure.strategy}\u0000${text.toLowerCase()}`;
        const entry = seen.get(key) ?? { text, structure, docs: new Set<string>(), affinity };
        entry.docs.add(doc.id);
        seen.set(key, entry);
      }
    });
  }
  return [...seen.values()].sort((a, b) => b.affinity - a.affinity || b.docs.size - a.docs.size || a.text.localeCompare(b.text));
}

function exactLabel(text: string): string {
  const words = text.split(/[\s_-]+/).filter((w) => w !== '');
  return `${words.map(escapeRegExp).join('[\\s_.-]*')}(?![${WORD_CHARS}])`;
}

/** Drafts keyed to the exact label texts the sample uses (at most `limit` labels). */
export function learnedLabelDrafts(profile: AttributeProfile, sample: readonly SampleDoc[], limit = 6): Draft[] {
  const labels = learnedLabels(profile, sample).slice(0, limit);
  return [
    ...labels.flatMap((label, i) => structuredDrafts(profile, exactLabel(label.text), [label.structure], 'learned', 'learned-', i * 20)),
    ...valueElementDrafts(profile, sample, labels),
  ];
}

// Closing tags, then the next start tag: the element right after a label's own element.
const NEXT_START_TAG = /(?:<\/[a-z][a-z0-9]*>\s*)*<[a-z][a-z0-9]*\b[^>]*>/iy;

/**
 * In HTML, the element that holds a label's value, keyed to the class or id the sample gives it
 * ("<div class=k>Genres</div><div class=v><ul>...</ul></div>"): its whole text, or its list items.
 */
function valueElementDrafts(profile: AttributeProfile, sample: readonly SampleDoc[], labels: readonly SeenLabel[], limit = 3): Draft[] {
  const seen = new Map<string, { label: string; open: string; docs: Set<string> }>();
  for (const label of labels) {
    if (label.structure === LINE) continue;
    const pattern = exactLabel(label.text);
    for (const doc of sample) {
      if (!doc.html) continue;
      for (const match of doc.view.matchAll(new RegExp(`>\\s*(?:${pattern})\\s*[:\\uff1a]?\\s*<`, 'gi'))) {
        NEXT_START_TAG.lastIndex = match.index + match[0].length - 1;
        const tag = NEXT_START_TAG.exec(doc.view);
        const name = tag ? /\s(class|id)="([^"]+)"/.exec(tag[0]) : null;
        if (!name) continue;
        const open = `\\s${name[1]}="${escapeRegExp(name[2]!)}"`;
        const key = `${pattern}\u0000${open}`;
        const entry = seen.get(key) ?? { label: pattern, open, docs: new Set<string>() };
        entry.docs.add(doc.id);
        seen.set(key, entry);
      }
    }
  }
  const shape = shapesFor(profile)[0]!;
  const top = [...seen.values()].sort((a, b) => b.docs.size - a.docs.size).slice(0, limit);
  // The same value element under any of the attribute's labels: pages of one site often vary the label.
  const anyLabel = labelPattern(profile.strongLabels);
  const opens = [...new Set(top.map((t) => t.open))].map((open) => ({ label: anyLabel, open, tag: ':any-label' }));
  return [...top.map((t) => ({ ...t, tag: '' })), ...opens].flatMap(({ label, open, tag }, i) => {
    const located = `afterLabel(doc, ${literal(label)}, ${literal(open)})`;
    const strategy = `learned-value-element${tag}`;
    return profile.multi
      ? [
          { strategy: `${strategy}:items`, family: 'element' as const, expression: `firstValue(${located}, itemTexts)`, rank: 4 + i * 20 },
          { strategy: `${strategy}:whole`, family: 'element' as const, expression: `firstValue(${located}, fragmentText)`, rank: 5 + i * 20 },
        ]
      : [{ strategy, family: 'element' as const, expression: shaped(`${located}.map(strip)`, shape), rank: 4 + i * 20 }];
  });
}

type Finder = (line: string) => string | null;

/** Finds the first value of the attribute's kind in a line, for kinds that have a pattern. */
function finderFor(profile: AttributeProfile): Finder | undefined {
  const shape = shapesFor(profile)[0]!;
  if (!TYPED.has(profile.kind) || profile.kind === 'place' || profile.kind === 'number') return undefined;
  // The kind's pattern without normalisation, so the match can be found in the line as written.
  const expression = profile.kind === 'date' ? `pickDate(v, null, 'dmy')` : shape.expression;
  const fn = hostFunction<(v: string) => unknown>(['v'], expression);
  return (line) => {
    const value = fn(line);
    return typeof value === 'string' && value !== '' ? value : null;
  };
}

/** The last one to three words before `position` in a line, lowercased; '' when none. */
function contextBefore(line: string, position: number): string {
  const tokens = line.slice(0, position).split(/\s+/).reverse();
  const words: string[] = [];
  for (const token of tokens) {
    if (token === '') continue;
    const word = token.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
    if (!/^\p{L}+$/u.test(word)) break;
    // A sentence that ended before the value is not part of its phrase.
    if (words.length > 0 && /[.;!?]$/.test(token)) break;
    words.unshift(word.toLowerCase());
    if (words.length === 3) break;
  }
  return words.join(' ');
}

/**
 * Drafts anchored on the phrases that most often precede a value of the attribute's kind in the sample
 * ("DATE:", "effective as of", "TOTAL RM"): no model names the label, the sample does.
 */
export function contextDrafts(profile: AttributeProfile, sample: readonly SampleDoc[], limit = 4): Draft[] {
  const find = finderFor(profile);
  if (!find) return [];
  const phrases = new Map<string, Set<string>>();
  for (const doc of sample) {
    for (const line of doc.lines) {
      const value = find(line);
      if (value === null) continue;
      const at = line.indexOf(value);
      if (at <= 0) continue;
      const phrase = contextBefore(line, at);
      if (phrase === '') continue;
      for (let k = 1; k <= phrase.split(' ').length; k++) {
        const sub = phrase.split(' ').slice(-k).join(' ');
        const docs = phrases.get(sub) ?? new Set<string>();
        docs.add(doc.id);
        phrases.set(sub, docs);
      }
    }
  }
  const needed = sample.length >= 3 ? Math.max(2, Math.ceil(sample.length * 0.2)) : 1;
  const ranked = [...phrases.entries()]
    .filter(([, docs]) => docs.size >= needed)
    .map(([phrase, docs]) => ({ phrase, docs: docs.size, affinity: labelAffinity(phrase, profile) }))
    .sort((a, b) => b.affinity - a.affinity || b.docs - a.docs || b.phrase.length - a.phrase.length || a.phrase.localeCompare(b.phrase));
  const shape = shapesFor(profile)[0]!;
  const lastFirst = profile.kind === 'money';
  return ranked.slice(0, limit).map(({ phrase }, i) => ({
    strategy: `context${lastFirst ? ':last' : ''}`,
    family: 'context' as const,
    expression: shaped(located(INLINE_TYPED, exactLabel(nameWords(phrase).join(' ')), lastFirst), shape),
    rank: i,
  }));
}
