/**
 * The three metrics of ../shared/docs/METHOD.md: text F1 (closed IE), pair F1 (open IE) and
 * schema F1@k. Where METHOD.md is silent the public Evaporate evaluation code decides; every
 * place we differ from that code is named in a comment.
 */
import { matchAttributeNames, sameAttributeName } from './names.ts';
import { normalizedItemSet, normalizedJoined, type CellValue } from './normalize.ts';

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

/** A fact in open IE: document, attribute name, value (several values form one set-valued fact). */
export interface Triple {
  doc: string;
  attribute: string;
  value: string | readonly string[];
}

function tokenF1(predTokens: readonly string[], goldTokens: readonly string[]): number {
  if (predTokens.length === 0 || goldTokens.length === 0) {
    return predTokens.length === goldTokens.length ? 1 : 0;
  }
  const counts = new Map<string, number>();
  for (const t of goldTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predTokens) {
    const left = counts.get(t) ?? 0;
    if (left > 0) {
      same += 1;
      counts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predTokens.length;
  const recall = same / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const stripDots = (s: string): string => s.replace(/^\.+|\.+$/g, '');

/**
 * Per-document token F1 between a prediction and the gold (SQuAD style, tokens counted with
 * multiplicity), after METHOD.md normalization:
 * - both empty = 1, exactly one empty = 0;
 * - comma lists as sets: when the two sides, split on list commas (not "1,000") and normalized, are the same set
 *   (order and repeats ignored), the score is 1;
 * - a multi-valued gold is one set of values (Evaporate joins list values before scoring): a
 *   prediction must name all of them to score 1, and naming some earns partial credit;
 * - prefix rule: a prediction that begins with the gold (ignoring leading/trailing dots) is cut to
 *   the gold's token count, because SWDE labels are often a prefix of what the page shows.
 *   Unlike the Evaporate code we apply it only to a non-empty gold; there an empty gold is a
 *   prefix of everything, which scores any prediction 1 where nothing should be found.
 */
export function textF1(pred: CellValue, gold: CellValue): number {
  const predSet = normalizedItemSet(pred);
  const goldSet = normalizedItemSet(gold);
  if (predSet.length > 0 && sameList(predSet, goldSet)) return 1;

  const goldText = normalizedJoined(gold);
  let predText = normalizedJoined(pred);
  const goldTokens = goldText ? goldText.split(' ') : [];
  if (goldTokens.length > 0 && stripDots(predText).startsWith(stripDots(goldText))) {
    predText = predText.split(' ').slice(0, goldTokens.length).join(' ');
  }
  return tokenF1(predText ? predText.split(' ') : [], goldTokens);
}

/** Precision, recall and F1 from match counts; nothing predicted and nothing to find scores 1. */
export function prf(matchedPred: number, predCount: number, matchedGold: number, goldCount: number): Prf {
  if (predCount === 0 && goldCount === 0) return { precision: 1, recall: 1, f1: 1 };
  const precision = predCount === 0 ? 0 : matchedPred / predCount;
  const recall = goldCount === 0 ? 0 : matchedGold / goldCount;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** The two forms under which pair F1 lets a value match: its normalized text, and its item set. */
interface FactKeys {
  joined: string;
  set: string;
}

function factKeys(doc: string, attribute: string, value: CellValue): FactKeys | null {
  const noSpace = (s: string): string => s.replace(/\s+/g, '');
  const joined = noSpace(normalizedJoined(value));
  if (!joined) return null;
  const set = normalizedItemSet(value).map(noSpace).join('\u0000');
  return { joined: JSON.stringify([doc, attribute, joined]), set: JSON.stringify([doc, attribute, set]) };
}

function distinctFacts(triples: readonly Triple[], nameOf: (attribute: string) => string): FactKeys[] {
  const facts = new Map<string, FactKeys>();
  for (const t of triples) {
    const keys = factKeys(t.doc, nameOf(t.attribute), t.value);
    if (keys) facts.set(`${keys.joined}\u0001${keys.set}`, keys);
  }
  return [...facts.values()];
}

/**
 * Open IE pair F1 over (document, attribute, value) facts. Values match exactly after
 * normalization with all whitespace removed, either as text (commas dropped, as Evaporate does) or
 * as comma-separated sets in any order; predicted attribute names match gold names leniently
 * (case, spacing, `_`/`-`, plural). Facts with an empty value are ignored on both sides, and
 * repeated facts count once.
 */
export function pairF1(pred: readonly Triple[], gold: readonly Triple[]): Prf {
  const goldNames = [...new Set(gold.map((t) => t.attribute))];
  const nameMap = matchAttributeNames(new Set(pred.map((t) => t.attribute)), goldNames);
  const goldFacts = distinctFacts(gold, (a) => a);
  // An unmatched name cannot equal any gold fact; the marker keeps it distinct from every gold name.
  const predFacts = distinctFacts(pred, (a) => nameMap.get(a) ?? `\u0000${a}`);
  const matchedIn = (facts: FactKeys[], other: FactKeys[]): number => {
    const joined = new Set(other.map((f) => f.joined));
    const sets = new Set(other.map((f) => f.set));
    return facts.filter((f) => joined.has(f.joined) || sets.has(f.set)).length;
  };
  return prf(matchedIn(predFacts, goldFacts), predFacts.length, matchedIn(goldFacts, predFacts), goldFacts.length);
}

/**
 * Schema F1@k: the top k predicted attribute names (in the given rank order, repeats by the lenient
 * rule counted once) against the gold names. Precision is the share of those k names that match a
 * gold name, recall the share of gold names matched. Evaporate compares lowercased names exactly;
 * we use the same lenient name rule as pair F1.
 */
export function schemaF1AtK(pred: readonly string[], gold: readonly string[], k: number): Prf {
  if (!Number.isInteger(k) || k < 1) throw new Error(`schemaF1AtK: k must be a positive integer, got ${k}`);
  const top: string[] = [];
  for (const name of pred) {
    if (top.length >= k) break;
    if (name.trim() && !top.some((t) => sameAttributeName(t, name) || t === name)) top.push(name);
  }
  const goldNames = [...new Set(gold)];
  const matchedPred = top.filter((p) => goldNames.some((g) => g === p || sameAttributeName(p, g))).length;
  const matchedGold = goldNames.filter((g) => top.some((p) => g === p || sameAttributeName(p, g))).length;
  return prf(matchedPred, top.length, matchedGold, goldNames.length);
}
