import { describe, expect, it } from 'vitest';
import {
  aggregateDocument,
  decideAbstention,
  fitLabelModel,
  pseudoLabelsFromAgreement,
  scoreFunctions,
  selectFunctions,
  voteKey,
  type DocumentVotes,
  type FunctionScore,
  type LabelModel,
  type VoteOutcome,
} from '../src/aggregate/index.ts';
import { normalizedItemSet } from '../src/text/normalize.ts';

const v = (...value: string[]): VoteOutcome => ({ kind: 'value', value });
const abstain: VoteOutcome = { kind: 'abstain' };
const threw: VoteOutcome = { kind: 'error', error: 'threw', message: 'Cannot read properties of null' };

const score = (id: string, f1: number, coverage = 1, errors = 0): FunctionScore => ({ id, f1, coverage, errors, voted: 10 });

const model = (overrides: Partial<LabelModel> & Pick<LabelModel, 'method' | 'functionIds'>): LabelModel => ({
  accuracies: {},
  abstainOnEmpty: true,
  classesPerDoc: 5,
  ...overrides,
});

describe('voteKey', () => {
  it('puts values that normalize alike in one class', () => {
    expect(voteKey(['Ana Lima'])).toBe(voteKey(['ana lima ']));
    expect(voteKey(['Tom &amp; Jerry'])).toBe(voteKey(['tom & jerry']));
    expect(voteKey(['Drama', 'Comedy'])).toBe(voteKey(['comedy', 'drama', 'Drama']));
    expect(voteKey(['Drama, Musical'])).toBe(voteKey(['Musical', 'Drama']));
  });

  it('splits lists exactly as the metric does, so a class is what the metric would score as one answer', () => {
    const values: string[][] = [['Drama; Musical'], ['Drama', 'Musical'], ['Drama, Musical'], ['1,000'], ['1', '000'], ['a,1'], ['a', '1'], ['x, y, x'], ['y', 'x']];
    for (const a of values) {
      for (const b of values) {
        expect(voteKey(a) === voteKey(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(JSON.stringify(normalizedItemSet(a)) === JSON.stringify(normalizedItemSet(b)));
      }
    }
  });

  it('keeps different values apart', () => {
    expect(voteKey(['Ana Lima'])).not.toBe(voteKey(['Ana Souza']));
    expect(voteKey(['a b'])).not.toBe(voteKey(['a', 'b']));
    expect(voteKey(['1,000'])).not.toBe(voteKey(['1', '000']));
    // An item containing the join character cannot imitate two items.
    expect(voteKey(['a\u001fb'])).not.toBe(voteKey(['a', 'b']));
  });

  it('gives "no value" the empty key', () => {
    expect(voteKey([])).toBe('');
    expect(voteKey(['', '  ', ':'])).toBe('');
  });
});

describe('decideAbstention', () => {
  const labels = (found: number, total: number): Map<string, string[] | null> =>
    new Map(Array.from({ length: total }, (_, i) => [`d${i}`, i < found ? [`v${i}`] : null]));

  it('abstains on empty outputs when the model found a value in at least 90% of the sample', () => {
    expect(decideAbstention(labels(9, 10))).toBe(true);
    expect(decideAbstention(labels(10, 10))).toBe(true);
    expect(decideAbstention(labels(8, 10))).toBe(false);
  });

  it('honours a custom threshold and counts blank labels as no value', () => {
    expect(decideAbstention(labels(8, 10), 0.8)).toBe(true);
    const blanks = new Map<string, string[] | null>([['a', ['x']], ['b', ['  ']], ['c', []]]);
    expect(decideAbstention(blanks, 0.5)).toBe(false);
  });

  it('does not abstain without any labels', () => {
    expect(decideAbstention(new Map())).toBe(false);
  });
});

describe('scoreFunctions', () => {
  it('scores strictly: a function that over-captures ranks below an exact one (no SWDE prefix rule)', () => {
    const labels = new Map<string, string[] | null>([
      ['d1', ['Toy Story']],
      ['d2', ['The Title']],
      ['d3', ['$12.99']],
    ]);
    const votes = new Map<string, DocumentVotes>([
      ['d1', { exact: v('Toy Story'), greedy: v('Toy Story 2') }],
      ['d2', { exact: v('The Title'), greedy: v('The Title | Books-A-Million Online') }],
      ['d3', { exact: v('$12.99'), greedy: v('$12.99 (save 20%)') }],
    ]);
    const scores = scoreFunctions(votes, labels, { abstainOnEmpty: true });
    const f1 = Object.fromEntries(scores.map((score) => [score.id, score.f1]));
    expect(f1['exact']).toBe(1);
    expect(f1['greedy']).toBeLessThan(0.75);
    const kept = selectFunctions(scores, { minF1: 0.5, topK: 1 }).kept.map((entry) => entry.id);
    expect(kept).toEqual(['exact']);
  });

  const pseudoLabels = new Map<string, string[] | null>([
    ['d1', ['Ana Lima']],
    ['d2', ['Bo Diaz']],
    ['d3', null],
    ['d4', ['Cy Ruiz']],
  ]);
  const sampleVotes = new Map<string, DocumentVotes>([
    ['d1', { silent: v('ana lima'), partial: v('Ana Souza'), crash: threw }],
    ['d2', { silent: abstain, partial: v('Bo Diaz'), crash: v('Bo Diaz') }],
    ['d3', { silent: abstain, partial: v('Eve'), crash: abstain }],
    ['d4', { silent: v('Cy Ruiz'), partial: v(''), crash: v('wrong') }],
    // Not labelled: ignored.
    ['d5', { silent: v('x'), partial: v('y'), crash: v('z') }],
  ]);

  it('leaves empty outputs out of the F1 when abstaining on empty', () => {
    const scores = scoreFunctions(sampleVotes, pseudoLabels, { abstainOnEmpty: true });
    expect(scores.map((s) => s.id)).toEqual(['crash', 'partial', 'silent']);
    const [crash, partial, silent] = scores;
    expect(silent).toEqual({ id: 'silent', f1: 1, exact: 1, coverage: 0.5, errors: 0, voted: 2, hits: ['d1', 'd4'] });
    // d1 "Ana Souza" vs "Ana Lima" scores token F1 0.5; d2 1; d3 0 (a value where there is none).
    expect(partial?.f1).toBeCloseTo((0.5 + 1 + 0) / 3, 10);
    expect(partial?.voted).toBe(3);
    expect(partial?.coverage).toBe(0.75);
    // The error is neither a vote nor a value.
    expect(crash).toEqual({ id: 'crash', f1: 0.5, exact: 0.5, coverage: 0.5, errors: 1, voted: 2, hits: ['d2'] });
  });

  it('scores empty outputs as "no value" when they are votes', () => {
    const scores = scoreFunctions(sampleVotes, pseudoLabels, { abstainOnEmpty: false });
    const byId = new Map(scores.map((s) => [s.id, s]));
    // d1 right, d2 empty where a value is (0), d3 empty where none is (1), d4 right.
    expect(byId.get('silent')).toEqual({ id: 'silent', f1: 0.75, exact: 0.75, coverage: 0.5, errors: 0, voted: 4, hits: ['d1', 'd4'] });
    expect(byId.get('partial')?.f1).toBeCloseTo((0.5 + 1 + 0 + 0) / 4, 10);
    expect(byId.get('crash')?.f1).toBeCloseTo((1 + 1 + 0) / 3, 10);
  });

  it('counts a missing outcome as an error', () => {
    const votes = new Map<string, DocumentVotes>([['d1', { a: v('Ana Lima') }], ['d2', {}]]);
    const [a] = scoreFunctions(votes, pseudoLabels, { abstainOnEmpty: true });
    expect(a).toMatchObject({ id: 'a', f1: 1, errors: 3, voted: 1, coverage: 0.25 });
  });
});

describe('selectFunctions', () => {
  it('drops functions under the threshold and keeps the best first', () => {
    const { kept, dropped } = selectFunctions([score('low', 0.3), score('mid', 0.6), score('top', 0.9)]);
    expect(kept.map((s) => s.id)).toEqual(['top', 'mid']);
    expect(dropped).toEqual([{ id: 'low', reason: expect.stringContaining('below the threshold 0.50') }]);
  });

  it('keeps only the top k', () => {
    const scores = Array.from({ length: 12 }, (_, i) => score(`f${String(i).padStart(2, '0')}`, 0.6 + i / 100));
    const { kept, dropped } = selectFunctions(scores, { topK: 3 });
    expect(kept.map((s) => s.id)).toEqual(['f11', 'f10', 'f09']);
    expect(dropped).toHaveLength(9);
    expect(dropped[0]).toEqual({ id: 'f08', reason: expect.stringContaining('only 3 are kept') });
  });

  it('keeps a function for every part of the sample before adding variants (mixed templates)', () => {
    const withHits = (id: string, f1: number, hits: string[]) => ({ ...score(id, f1, hits.length / 6), hits });
    const scores = [
      withHits('a1', 1, ['d1', 'd2', 'd3']),
      withHits('a2', 1, ['d1', 'd2', 'd3']),
      withHits('a3', 0.95, ['d1', 'd2', 'd3']),
      withHits('b1', 0.9, ['d4', 'd5']),
      withHits('c1', 0.8, ['d6']),
    ];
    expect(selectFunctions(scores, { topK: 3 }).kept.map((s) => s.id)).toEqual(['a1', 'b1', 'c1']);
    // Once every document is covered, the rest follow by rank.
    expect(selectFunctions(scores, { topK: 5 }).kept.map((s) => s.id)).toEqual(['a1', 'b1', 'c1', 'a2', 'a3']);
  });

  it('breaks ties by coverage, then errors, then id, whatever the input order', () => {
    const scores = [score('b', 0.8), score('a', 0.8), score('wide', 0.8, 1), score('narrow', 0.8, 0.5), score('flaky', 0.8, 1, 2)];
    for (const order of [scores, [...scores].reverse()]) {
      const ids = selectFunctions(order).kept.map((s) => s.id);
      expect(ids).toEqual(['a', 'b', 'wide', 'flaky', 'narrow']);
    }
  });

  it('keeps none, and says why, when nothing passes: an empty column rather than wrong values', () => {
    const { kept, dropped, note } = selectFunctions([score('x', 0.2), score('y', 0.4), score('z', 0.1)]);
    expect(kept).toEqual([]);
    expect(note).toMatch(/no function reached F1 0\.50 on the sample \(the best: y, F1 0\.40.*the column is left empty/);
    expect(dropped.map((d) => d.id)).toEqual(['y', 'x', 'z']);
    expect(selectFunctions([]).kept).toEqual([]);
  });

  it('rejects nonsense options', () => {
    expect(() => selectFunctions([], { topK: 0 })).toThrow(/topK must be a positive integer/);
    expect(() => selectFunctions([], { minF1: 2 })).toThrow(/minF1 must be in \[0, 1\]/);
  });
});

describe('aggregateDocument', () => {
  const outcomes: DocumentVotes = {
    a: v('Ana Lima'),
    b: v('ana lima '),
    c: v('ANA LIMA'),
    d: v('ana lima '),
    e: v('Bo Diaz'),
    f: abstain,
    g: threw,
    outsider: v('Zed'),
  };
  const functionIds = ['e', 'a', 'b', 'c', 'd', 'f', 'g'];

  it('reports value, voters and candidates with a confidence in [0, 1] (ws)', () => {
    const cell = aggregateDocument(outcomes, model({ method: 'ws', functionIds, accuracies: { a: 0.8, b: 0.8, c: 0.8, d: 0.8, e: 0.8 } }));
    // The most common raw form among the winning voters ("ana lima " twice) is returned as written.
    expect(cell.value).toEqual(['ana lima ']);
    expect(cell.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(cell.candidates.map((c) => [c.value, c.voters])).toEqual([
      [['ana lima '], ['a', 'b', 'c', 'd']],
      [['Bo Diaz'], ['e']],
    ]);
    expect(cell.confidence).toBe(cell.candidates[0]?.probability);
    expect(cell.confidence).toBeGreaterThan(0.9);
    expect(cell.confidence).toBeLessThanOrEqual(1);
    const total = cell.candidates.reduce((sum, c) => sum + c.probability, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('lets one accurate function outvote several poor ones (ws), unlike majority vote', () => {
    const votes: DocumentVotes = { good: v('right'), p1: v('wrong'), p2: v('wrong') };
    const ids = ['good', 'p1', 'p2'];
    const ws = aggregateDocument(votes, model({ method: 'ws', functionIds: ids, accuracies: { good: 0.98, p1: 0.55, p2: 0.55 } }));
    expect(ws.value).toEqual(['right']);
    const mv = aggregateDocument(votes, model({ method: 'mv', functionIds: ids }));
    expect(mv.value).toEqual(['wrong']);
    expect(mv.confidence).toBeCloseTo(2 / 3, 10);
  });

  it('treats a saved model without accuracies as a majority vote', () => {
    const bare = model({ method: 'ws', functionIds });
    const cell = aggregateDocument(outcomes, bare);
    expect(cell.value).toEqual(aggregateDocument(outcomes, model({ method: 'mv', functionIds })).value);
  });

  it('breaks ties towards the better-ranked function', () => {
    const votes: DocumentVotes = { x: v('one'), y: v('two') };
    expect(aggregateDocument(votes, model({ method: 'mv', functionIds: ['y', 'x'] })).value).toEqual(['two']);
    expect(aggregateDocument(votes, model({ method: 'mv', functionIds: ['x', 'y'] })).value).toEqual(['one']);
    expect(aggregateDocument(votes, model({ method: 'ws', functionIds: ['y', 'x'] })).value).toEqual(['two']);
  });

  it('votes "no value" with empty outputs unless abstaining', () => {
    const votes: DocumentVotes = { a: abstain, b: v(''), c: v('x') };
    const voting = aggregateDocument(votes, model({ method: 'ws', functionIds: ['c', 'a', 'b'], abstainOnEmpty: false }));
    expect(voting.value).toBeNull();
    expect(voting.voters).toEqual(['a', 'b']);
    expect(voting.candidates.map((c) => c.value)).toEqual([null, ['x']]);
    const abstaining = aggregateDocument(votes, model({ method: 'ws', functionIds: ['c', 'a', 'b'] }));
    expect(abstaining.value).toEqual(['x']);
  });

  it('gives no value and zero confidence when nobody votes', () => {
    const cell = aggregateDocument({ a: abstain, b: threw }, model({ method: 'ws', functionIds: ['a', 'b'] }));
    expect(cell).toEqual({ value: null, confidence: 0, voters: [], candidates: [] });
  });

  it('caps the competing values per document (ws)', () => {
    const votes: DocumentVotes = { a: v('p'), b: v('p'), c: v('q'), d: v('r'), e: v('s') };
    const cell = aggregateDocument(votes, model({ method: 'ws', functionIds: ['a', 'b', 'c', 'd', 'e'], classesPerDoc: 2 }));
    expect(cell.candidates.map((c) => c.value)).toEqual([['p'], ['q']]);
  });

  it('uses the best function alone (code)', () => {
    const code = model({ method: 'code', functionIds: ['a', 'b'], best: 'b', accuracies: { a: 0.9, b: 0.6 } });
    expect(aggregateDocument({ a: v('A'), b: v('B') }, code)).toEqual({
      value: ['B'],
      confidence: 0.6,
      voters: ['b'],
      candidates: [{ value: ['B'], probability: 0.6, voters: ['b'] }],
    });
    expect(aggregateDocument({ a: v('A'), b: abstain }, code).value).toBeNull();
  });

  it('rejects an unknown method', () => {
    const bad = { ...model({ method: 'ws', functionIds: [] }), method: 'vote' } as unknown as LabelModel;
    expect(() => aggregateDocument({}, bad)).toThrow(/unknown method "vote"/);
  });
});

describe('fitLabelModel', () => {
  const docs: DocumentVotes[] = [
    { a: v('1'), b: v('1'), c: v('9') },
    { a: v('2'), b: v('2'), c: v('2') },
    { a: v('3'), b: v('3'), c: abstain },
    { a: v('4'), b: v('8'), c: v('4') },
    { a: v('5'), b: v('5'), c: v('5') },
  ];
  const functionIds = ['a', 'b', 'c'];

  it('estimates higher accuracy for functions that agree with the others', () => {
    const fitted = fitLabelModel(docs, { method: 'ws', functionIds, abstainOnEmpty: true, priorWeight: 0 });
    expect(fitted.accuracies.a).toBeGreaterThan(fitted.accuracies.b ?? 1);
    expect(fitted.accuracies.a).toBeGreaterThan(fitted.accuracies.c ?? 1);
    expect(fitted.fit).toMatchObject({ documents: 5, converged: true });
    expect(JSON.parse(JSON.stringify(fitted))).toEqual(fitted);
  });

  it('is deterministic and reads the votes once from any iterable', () => {
    function* stream(): Generator<DocumentVotes> {
      yield* docs;
    }
    const once = fitLabelModel(stream(), { method: 'ws', functionIds, abstainOnEmpty: true, priorAccuracies: { a: 0.9, b: 0.7, c: 0.5 } });
    const again = fitLabelModel(docs, { method: 'ws', functionIds, abstainOnEmpty: true, priorAccuracies: { a: 0.9, b: 0.7, c: 0.5 } });
    expect(once).toEqual(again);
  });

  it('picks for code the function with the most expected right answers', () => {
    // c is more accurate on the sample but votes on 4 of 5 documents: 0.95 * 0.8 < 0.9 * 1.
    const code = fitLabelModel(docs, { method: 'code', functionIds, abstainOnEmpty: true, priorAccuracies: { a: 0.9, b: 0.5, c: 0.95 } });
    expect(code.best).toBe('a');
    expect(code.accuracies).toEqual({ a: 0.9, b: 0.5, c: 0.95 });
  });

  it('needs nothing for majority vote and keeps the priors for reference', () => {
    const mv = fitLabelModel(docs, { method: 'mv', functionIds, abstainOnEmpty: false, priorAccuracies: { a: 0.8 } });
    expect(mv).toEqual({ method: 'mv', functionIds, accuracies: { a: 0.8 }, abstainOnEmpty: false, classesPerDoc: 5 });
  });

  it('rejects bad options with a clear message', () => {
    expect(() => fitLabelModel([], { method: 'ws', functionIds: ['a', 'a'], abstainOnEmpty: true })).toThrow(/duplicates/);
    expect(() => fitLabelModel([], { method: 'ws', functionIds: ['a'], abstainOnEmpty: true, classesPerDoc: 0 })).toThrow(/classesPerDoc/);
    expect(() => fitLabelModel([], { method: 'ws', functionIds: ['a'], abstainOnEmpty: true, priorAccuracies: { a: 1.5 } })).toThrow(/prior accuracy of "a"/);
  });
});

describe('pseudoLabelsFromAgreement', () => {
  it('labels each sample document with what the candidates agree on, ignoring silent ones', () => {
    const sampleVotes = new Map<string, DocumentVotes>([
      ['d1', { p1: v('Ana Lima'), p2: v('ana lima'), p3: v('Ana Lima'), noisy: v('Menu') }],
      ['d2', { p1: v('Bo Diaz'), p2: abstain, p3: v('Bo Diaz'), noisy: v('Menu') }],
      ['d3', { p1: abstain, p2: abstain, p3: threw, noisy: abstain }],
      ['d4', { p1: v('Cy Ruiz'), p2: v('Cy Ruiz'), p3: abstain, noisy: v('Cy Ruiz') }],
    ]);
    const labels = pseudoLabelsFromAgreement(sampleVotes);
    expect([...labels.entries()]).toEqual([
      ['d1', ['Ana Lima']],
      ['d2', ['Bo Diaz']],
      ['d3', null],
      ['d4', ['Cy Ruiz']],
    ]);
  });

  it('can withhold labels the candidates do not agree on', () => {
    const sampleVotes = new Map<string, DocumentVotes>([['d1', { a: v('x'), b: v('y'), c: v('z') }]]);
    expect(pseudoLabelsFromAgreement(sampleVotes).get('d1')).not.toBeNull();
    expect(pseudoLabelsFromAgreement(sampleVotes, { minConfidence: 0.5 }).get('d1')).toBeNull();
  });
});
