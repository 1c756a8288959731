import { describe, expect, it } from 'vitest';
import { aggregateDocument, findAbstainers, fitLabelModel, scoreFunctions, type DocumentVotes } from '../src/aggregate/index.ts';

// Two templates; each specialist finds the value on its own template only, and one generalist finds it everywhere
// but is sometimes wrong. Documents d5/d6 have no value.
const value = (text: string) => ({ kind: 'value' as const, value: [text] });
const empty = { kind: 'abstain' as const };
const votes = new Map<string, DocumentVotes>([
  ['d1', { a: value('x1'), b: empty, g: value('x1') }],
  ['d2', { a: value('x2'), b: empty, g: value('x2') }],
  ['d3', { a: empty, b: value('x3'), g: value('wrong') }],
  ['d4', { a: empty, b: value('x4'), g: value('x4') }],
  ['d5', { a: empty, b: empty, g: empty }],
  ['d6', { a: empty, b: empty, g: empty }],
]);
const labels = new Map<string, string[] | null>([
  ['d1', ['x1']],
  ['d2', ['x2']],
  ['d3', ['x3']],
  ['d4', ['x4']],
  ['d5', null],
  ['d6', null],
]);

describe('specialists abstain on empty output when empty outputs are votes', () => {
  it('finds the functions that fire on part of the labelled documents only', () => {
    expect([...findAbstainers(votes, labels)].sort()).toEqual(['a', 'b']);
  });

  it('scores specialists on the documents they answer, not on the other template', () => {
    const plain = Object.fromEntries(scoreFunctions(votes, labels, { abstainOnEmpty: false }).map((s) => [s.id, s.f1]));
    const aware = Object.fromEntries(scoreFunctions(votes, labels, { abstainOnEmpty: false, abstainers: findAbstainers(votes, labels) }).map((s) => [s.id, s.f1]));
    expect(plain['a']).toBeCloseTo(4 / 6); // penalized for staying empty on the other template
    expect(aware['a']).toBe(1);
    expect(aware['g']).toBeCloseTo(5 / 6); // the generalist's empty outputs still count, and are right on d5/d6
  });

  it('lets the specialist that applies win over the others staying silent, while "no value" still wins where all are empty', () => {
    const model = fitLabelModel(votes.values(), { method: 'ws', functionIds: ['a', 'b', 'g'], abstainOnEmpty: false, abstainers: ['a', 'b'], priorAccuracies: { a: 1, b: 1, g: 0.8 } });
    expect(aggregateDocument(votes.get('d3')!, model).value).toEqual(['x3']);
    expect(aggregateDocument(votes.get('d5')!, model).value).toBeNull();
    const withoutAbstainers = fitLabelModel(votes.values(), { method: 'mv', functionIds: ['a', 'b', 'g'], abstainOnEmpty: false });
    expect(aggregateDocument({ a: empty, b: value('x3'), g: empty }, withoutAbstainers).value).toBeNull(); // two silences outvote the one that applies
    expect(aggregateDocument({ a: empty, b: value('x3'), g: empty }, { ...withoutAbstainers, abstainers: ['a', 'b'] }).value).toEqual(['x3']);
  });
});
