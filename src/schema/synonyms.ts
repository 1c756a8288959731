/**
 * One column per fact: attributes that name the same thing under different labels (`release_date`, `released`,
 * `date_published`; `genre`, `genres`) become one, under the name most sample documents use, the others kept as
 * aliases. Two attributes are the same when their names differ only by case, spacing or plural, or when, on the
 * sample documents that state both, they state the same value (dates compared as dates).
 */
import { sameAttributeName } from '../eval/names.ts';
import { normalizeValue } from '../text/normalize.ts';
import type { DiscoveredAttribute } from './names.ts';

/** An attribute as a discoverer saw it: the value each sample document states for it (the first, if several). */
export interface Sighting {
  name: string;
  /** document id -> value */
  values: Map<string, string>;
  examples: string[];
}

/** Share of the shared documents whose values must agree for two attributes to be one. */
const AGREEMENT = 0.8;

/** Merge synonyms; the result is ranked by documents stating the attribute, then by the order given. */
export function mergeSynonyms(sightings: readonly Sighting[]): DiscoveredAttribute[] {
  const group = sightings.map((_, i) => i);
  const find = (i: number): number => (group[i] === i ? i : (group[i] = find(group[i] as number)));
  for (let i = 0; i < sightings.length; i++) {
    for (let j = i + 1; j < sightings.length; j++) {
      if (find(i) !== find(j) && sameThing(sightings[i] as Sighting, sightings[j] as Sighting)) group[find(j)] = find(i);
    }
  }
  const members = new Map<number, Sighting[]>();
  sightings.forEach((sighting, i) => members.set(find(i), [...(members.get(find(i)) ?? []), sighting]));
  return [...members.values()]
    .map((list, order) => {
      // The most common label names the column; the first seen wins a tie.
      const named = [...list].sort((a, b) => b.values.size - a.values.size)[0] as Sighting;
      const docs = new Set(list.flatMap((sighting) => [...sighting.values.keys()]));
      const examples = [...new Set(list.flatMap((sighting) => sighting.examples))].slice(0, 3);
      const aliases = list.filter((sighting) => sighting !== named).map((sighting) => sighting.name);
      return { attribute: { name: named.name, frequency: docs.size, examples, ...(aliases.length ? { aliases } : {}) }, order };
    })
    .sort((a, b) => b.attribute.frequency - a.attribute.frequency || a.order - b.order)
    .map(({ attribute }) => attribute);
}

function sameThing(a: Sighting, b: Sighting): boolean {
  if (sameAttributeName(a.name, b.name)) return true;
  const shared = [...a.values.keys()].filter((doc) => b.values.has(doc));
  if (shared.length === 0) return false;
  const agree = shared.filter((doc) => comparable(a.values.get(doc) as string) === comparable(b.values.get(doc) as string)).length;
  return agree >= Math.min(2, shared.length) && agree / shared.length >= AGREEMENT;
}

const MONTH = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b/i;

/** A value as compared for agreement: a date as its day (ISO), anything else normalized as the metric does. */
export function comparable(value: string): string {
  const text = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T|$)/.exec(text);
  if (iso) return `date:${iso[1]}-${iso[2]}-${iso[3]}`;
  if (/\b\d{4}\b/.test(text) && (MONTH.test(text) || /\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b/.test(text))) {
    const parsed = new Date(text);
    if (!Number.isNaN(parsed.getTime())) {
      const pad = (n: number) => String(n).padStart(2, '0');
      return `date:${parsed.getFullYear()}-${pad(parsed.getMonth() + 1)}-${pad(parsed.getDate())}`;
    }
  }
  return normalizeValue(text);
}
