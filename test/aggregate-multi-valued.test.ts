/**
 * Multi-valued attributes (issue 13, item 7): set F1 over values, per-value scoring, and votes counted value by
 * value, so functions that name most of a document's values are mostly right rather than wrong.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/corpus/random.ts';
import { aggregateDocument, fitLabelModel, isMultiValued, scoreFunctions, type DocumentVotes } from '../src/aggregate/index.ts';
import { attributeList, attributeNotes } from '../src/prompting/attributes.ts';
import { setF1, setOverlap, strictTextF1 } from '../src/text/f1.ts';

const value = (...items: string[]) => ({ kind: 'value' as const, value: items });

describe('set F1 over values', () => {
  it('credits each value named, charges each value made up, and reads a listed "Acme, Inc." as one value', () => {
    expect(setF1(['Nike Inc.'], ['Eric Dean Sprunk', 'Nike Inc.'])).toBeCloseTo(2 / 3, 6);
    expect(setF1(['Nike, Inc.', 'Eric Dean Sprunk'], ['Eric Dean Sprunk', 'Nike Inc.'])).toBe(1);
    expect(setF1(['Nike Inc.', 'Eric Dean Sprunk', 'the Company'], ['Eric Dean Sprunk', 'Nike Inc.'])).toBeCloseTo(0.8, 6);
    expect(setF1(null, null)).toBe(1);
    expect(setF1(['x'], null)).toBe(0);
    // A long party name no longer outweighs a short one, as it does in the joined-text metric.
    const long = 'Open Joint Stock Company Vimpel Communications';
    expect(strictTextF1([long], [long, 'Telenor Asa'])).toBeGreaterThan(0.8);
    expect(setF1([long], [long, 'Telenor Asa'])).toBeCloseTo(2 / 3, 6);
    expect(setOverlap(['A', 'B'], ['B', 'C'])).toBeCloseTo(1 / 3, 6);
  });
});

describe('scoring a multi-valued attribute', () => {
  const labels = new Map([
    ['d1', ['Acme Corp', 'Ana Lima']],
    ['d2', ['Beta LLC', 'Bo Chen']],
  ]);
  const votes = new Map<string, DocumentVotes>([
    ['d1', { both: value('Acme Corp', 'Ana Lima'), first: value('Acme Corp'), joined: value('Acme Corp Ana Lima') }],
    ['d2', { both: value('Bo Chen', 'Beta LLC'), first: value('Beta LLC'), joined: value('Beta LLC Bo Chen') }],
  ]);

  it('ranks the function that names every value first, and gives the one naming half of them half the per-value accuracy', () => {
    const scores = new Map(scoreFunctions(votes, labels, { abstainOnEmpty: true, multiple: true }).map((s) => [s.id, s]));
    expect(scores.get('both')).toMatchObject({ f1: 1, exact: 1 });
    expect(scores.get('first')?.f1).toBeCloseTo(2 / 3, 6);
    expect(scores.get('first')?.exact).toBeCloseTo(0.5, 6);
    // One string with every name in it is not the set of names; the joined-text score would call it perfect.
    expect(scores.get('joined')?.f1).toBeLessThan(0.5);
    const joinedText = new Map(scoreFunctions(votes, labels, { abstainOnEmpty: true }).map((s) => [s.id, s]));
    expect(joinedText.get('joined')?.f1).toBe(1);
  });

  it('is read from pseudo-labels that give several values on a quarter or more of the labelled documents', () => {
    expect(isMultiValued(labels)).toBe(true);
    expect(isMultiValued(new Map([['d1', ['Alien']], ['d2', ['Heat']], ['d3', null]]))).toBe(false);
    expect(isMultiValued(new Map([['d1', ['Drama', 'Musical']], ['d2', ['Heat']]]))).toBe(false); // one document is not a pattern
  });
});

describe('voting value by value', () => {
  // Best-ranked first: under whole-set voting the four answers are four classes of one vote each, and the
  // best-ranked voter's partial answer wins.
  const functionIds = ['onlyA', 'onlyB', 'withJunk', 'both'];
  const outcomes: DocumentVotes = { onlyA: value('A'), onlyB: value('B'), withJunk: value('A', 'B', 'C'), both: value('A', 'B') };
  const model = (method: 'mv' | 'ws', multiple: boolean) => fitLabelModel([outcomes], { method, functionIds, abstainOnEmpty: true, ...(multiple ? { multiple } : {}) });

  it('keeps the values most voters name and drops the one only one names', () => {
    expect(aggregateDocument(outcomes, model('mv', false)).value).toEqual(['A']);
    const cell = aggregateDocument(outcomes, model('mv', true));
    expect(cell.value).toEqual(['A', 'B']);
    expect(cell.candidates.map((c) => [c.value, c.probability])).toEqual([
      [['A'], 0.75],
      [['B'], 0.75],
      [['C'], 0.25],
    ]);
    expect(cell.voters).toEqual(['onlyA', 'onlyB', 'withJunk', 'both']);
    expect(aggregateDocument(outcomes, model('ws', true)).value).toEqual(['A', 'B']);
  });

  it('says "no value" when every voter found none, and abstains when nobody voted', () => {
    const none: DocumentVotes = { onlyA: value(), onlyB: { kind: 'abstain' } };
    const fitted = fitLabelModel([none], { method: 'ws', functionIds: ['onlyA', 'onlyB'], abstainOnEmpty: false, multiple: true });
    const cell = aggregateDocument(none, fitted);
    expect(cell.value).toBeNull();
    expect(cell.confidence).toBeGreaterThan(0.5);
    expect(aggregateDocument({ onlyA: { kind: 'error', error: 'timeout' } }, fitted)).toMatchObject({ value: null, confidence: 0 });
  });

  it('on synthetic contracts, recovers more of each document\'s parties than whole-set voting, and estimates per-value accuracy', () => {
    const random = seededRandom('multi-valued');
    // No function is reliable alone, so whole answers rarely agree. Each function names each true party with probability `recall` and adds a made-up one with probability `junk`.
    const specs = [
      { id: 'careful', recall: 0.75, junk: 0.1 },
      { id: 'greedy', recall: 0.9, junk: 0.5 },
      { id: 'first-only', recall: 0.5, junk: 0.05 },
      { id: 'noisy', recall: 0.7, junk: 0.3 },
      { id: 'sloppy', recall: 0.65, junk: 0.2 },
    ];
    const docs: { truth: string[]; outcomes: DocumentVotes }[] = [];
    for (let d = 0; d < 400; d++) {
      const truth = Array.from({ length: 2 + Math.floor(random() * 2) }, (_, k) => `party ${d}-${k}`);
      const outcomes: Record<string, ReturnType<typeof value>> = {};
      for (const spec of specs) {
        const named = truth.filter(() => random() < spec.recall);
        if (random() < spec.junk) named.push(`stranger ${Math.floor(random() * 1e6)}`);
        outcomes[spec.id] = value(...named);
      }
      docs.push({ truth, outcomes });
    }
    const ids = specs.map((s) => s.id);
    const meanF1 = (multiple: boolean) => {
      const fitted = fitLabelModel(docs.map((d) => d.outcomes), { method: 'ws', functionIds: ids, abstainOnEmpty: true, ...(multiple ? { multiple } : {}) });
      return { fitted, f1: docs.reduce((sum, d) => sum + setF1(aggregateDocument(d.outcomes, fitted).value, d.truth), 0) / docs.length };
    };
    const perValue = meanF1(true);
    const wholeSet = meanF1(false);
    console.log(`[multi-valued] synthetic contracts (400 docs): set F1 per-value ws ${perValue.f1.toFixed(3)}, whole-set ws ${wholeSet.f1.toFixed(3)}; accuracies ${JSON.stringify(perValue.fitted.accuracies)}`);
    expect(perValue.f1).toBeGreaterThan(wholeSet.f1 + 0.05);
    expect(perValue.f1).toBeGreaterThan(0.85);
    // The careful function is right on more of its in/out calls than the greedy one that adds strangers half the time.
    expect(perValue.fitted.accuracies.careful).toBeGreaterThan(perValue.fitted.accuracies.greedy as number);
    expect(perValue.fitted.multiple).toBe(true);
  });
});

describe('prompts for a multi-valued attribute', () => {
  it('ask for every value as an array, and say nothing new for the others (their prompts, and cached answers, stay the same)', () => {
    expect(attributeNotes({ name: 'party', multiple: true })).toContain('return every one, as an array');
    expect(attributeList([{ name: 'party', multiple: true }, { name: 'term' }])).toBe('- party: several values: list every one\n- term');
    expect(attributeNotes({ name: 'term' })).toBe('');
  });
});
