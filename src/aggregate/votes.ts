/**
 * Turning outcomes into votes, and a document's votes into competing classes of equal values.
 */
import { normalizeValue, splitListItems } from '../text/normalize.ts';
import { compareStrings } from '../corpus/random.ts';
import type { DocumentVotes, VoteOutcome } from './types.ts';

/** The key of the "no value" class. */
export const NO_VALUE = '';

// Joins a key's items; any occurrence inside an item becomes a space, so two different item lists never share a key.
const ITEM_SEPARATOR = '\u001f';

/**
 * Comparison key for a vote: each item (list-comma-separated parts counted as items, as the metric counts them)
 * normalized as the metric normalizes it, empty items and repeats dropped, sorted, joined; so "Ana Lima" and "ana lima " are one class and ["b", "a"] equals
 * ["a", "b"]. A value with no non-empty item has the key {@link NO_VALUE}.
 */
export function voteKey(value: readonly string[]): string {
  const items = new Set<string>();
  // "Drama, Musical" and ["Drama", "Musical"] are one answer, as the metric reads comma lists as sets.
  for (const part of value.flatMap(splitListItems)) {
    const text = normalizeValue(part).replaceAll(ITEM_SEPARATOR, ' ');
    if (text) items.add(text);
  }
  return [...items].sort(compareStrings).join(ITEM_SEPARATOR);
}

/** An outcome read as a vote: `key` is the class it supports; `value` is the raw output (null for "no value"). */
export type Vote = { key: string; value: string[] | null } | null;

/**
 * The vote an outcome casts, or null when it casts none: errors never vote; an empty output (an
 * `abstain`, or a value with nothing left after normalization) votes "no value" unless abstaining on empty.
 */
export function readVote(outcome: VoteOutcome | undefined, abstainOnEmpty: boolean): Vote {
  if (outcome === undefined || outcome.kind === 'error') return null;
  if (outcome.kind === 'value') {
    const key = voteKey(outcome.value);
    if (key !== NO_VALUE) return { key, value: outcome.value };
  }
  return abstainOnEmpty ? null : { key: NO_VALUE, value: null };
}

/**
 * Whose empty outputs are abstentions: everyone's (true), no one's (false), or only those of the listed
 * functions. A function that fires on part of the documents only (one template of several, say) says
 * nothing by staying empty elsewhere, while one that finds the value nearly everywhere does.
 */
export type EmptyPolicy = boolean | ReadonlySet<string>;

export function abstainsOnEmpty(policy: EmptyPolicy, id: string): boolean {
  return typeof policy === 'boolean' ? policy : policy.has(id);
}

/** Whether an outcome is a non-empty value. */
export function hasValue(outcome: VoteOutcome | undefined): boolean {
  return outcome?.kind === 'value' && voteKey(outcome.value) !== NO_VALUE;
}

/** The voters of one distinct (normalized) value on one document. */
export interface VoteClass {
  key: string;
  /** The most common raw form among the voters (the better-ranked voter's on a tie); null for "no value". */
  value: string[] | null;
  /** Indices into the function list, ascending (= rank order). */
  voters: number[];
}

/**
 * A document's votes grouped by key, largest group first; equal groups ordered by their
 * best-ranked voter, so the order depends only on the votes and the rank order of `functionIds`.
 */
export function groupVotes(outcomes: DocumentVotes, functionIds: readonly string[], abstainOnEmpty: EmptyPolicy): VoteClass[] {
  const groups = new Map<string, { voters: number[]; forms: Map<string, { value: string[] | null; count: number }> }>();
  functionIds.forEach((id, index) => {
    const vote = readVote(outcomes[id], abstainsOnEmpty(abstainOnEmpty, id));
    if (!vote) return;
    let group = groups.get(vote.key);
    if (!group) {
      group = { voters: [], forms: new Map() };
      groups.set(vote.key, group);
    }
    group.voters.push(index);
    const form = JSON.stringify(vote.value);
    const seen = group.forms.get(form);
    if (seen) seen.count += 1;
    else group.forms.set(form, { value: vote.value, count: 1 });
  });
  const classes: VoteClass[] = [];
  for (const [key, group] of groups) {
    // Map iteration follows insertion, i.e. the first voter of each form: a strict `>` keeps the better-ranked form on ties.
    let best: { value: string[] | null; count: number } | undefined;
    for (const form of group.forms.values()) if (!best || form.count > best.count) best = form;
    classes.push({ key, value: best?.value ?? null, voters: group.voters });
  }
  return classes.sort((a, b) => b.voters.length - a.voters.length || (a.voters[0] ?? 0) - (b.voters[0] ?? 0));
}
