/**
 * The three metrics of ../shared/docs/METHOD.md: text F1 (closed IE), pair F1 (open IE) and
 * schema F1@k. Where METHOD.md is silent the public Evaporate evaluation code decides; every
 * place we differ from that code is named in a comment.
 */
import { matchAttributeNames, sameAttributeName } from './names.ts';
import { normalizedItemSet, normalizedJoined, type MetricValue } from '../text/normalize.ts';

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

function factKeys(doc: string, attribute: string, value: MetricValue): FactKeys | null {
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
