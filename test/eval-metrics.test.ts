import { describe, expect, it } from 'vitest';
import { normalizeValue, pairF1, sameAttributeName, schemaF1AtK, strictTextF1, textF1 } from '../src/eval/index.ts';

describe('normalizeValue (METHOD.md normalization)', () => {
  it('lowercases', () => {
    expect(normalizeValue('Hello World')).toBe('hello world');
  });

  it('strips HTML tags, keeping words in separate elements apart', () => {
    expect(normalizeValue('<b>Tom</b> <i>Hanks</i>')).toBe('tom hanks');
    expect(normalizeValue('<ul><li>Drama</li><li>Comedy</li></ul>')).toBe('drama comedy');
    expect(normalizeValue('a<br/>b<!-- note -->c')).toBe('a b c');
  });

  it('unescapes entities, named and numeric', () => {
    expect(normalizeValue('&eacute;t&eacute; &#233;t&#xE9;')).toBe('été été');
    expect(normalizeValue('Tom &amp; Jerry')).toBe('tom jerry');
    expect(normalizeValue('5 &lt; 6')).toBe('5 6');
  });

  it("drops the punctuation ' \" ( ) , / [ ] : and typographic quotes, but keeps dots", () => {
    expect(normalizeValue(`It's "quoted" (x) a,b c/d [y]: z`)).toBe('its quoted x ab cd y z');
    expect(normalizeValue('Harry\u2019s \u201cbook\u201d')).toBe('harrys book');
    expect(normalizeValue('Nike Inc.')).toBe('nike inc.');
  });

  it('turns & - _ (and en/em dashes) into spaces and collapses whitespace', () => {
    expect(normalizeValue('rock&roll isbn-13 snake_case 2001\u20132005')).toBe('rock roll isbn 13 snake case 2001 2005');
    expect(normalizeValue('  a \t\r\n b\u00a0 c  ')).toBe('a b c');
  });
});

describe('textF1', () => {
  it('is 1 for equal values after normalization', () => {
    expect(textF1('<span>Dune</span>', 'dune')).toBe(1);
    expect(textF1('Gollancz &amp; Co', ': Gollancz & Co')).toBe(1);
  });

  it('counts both empty as 1 and exactly one empty as 0', () => {
    expect(textF1(null, [])).toBe(1);
    expect(textF1('', undefined)).toBe(1);
    expect(textF1('  ', '<b></b>')).toBe(1);
    expect(textF1('x', null)).toBe(0);
    expect(textF1(null, 'x')).toBe(0);
  });

  it('is token F1 with multiplicity', () => {
    // common {quick, fox}: P = R = 2/3
    expect(textF1('the quick fox', 'quick brown fox')).toBeCloseTo(2 / 3, 10);
    // pred a a b, gold a b b: one a and one b in common, P = R = 2/3
    expect(textF1('a a b', 'a b b')).toBeCloseTo(2 / 3, 10);
    expect(textF1('completely different', 'nothing shared')).toBe(0);
  });

  it('cuts a prediction that begins with the gold to the gold length (SWDE prefix rule)', () => {
    // Without the rule: P = 4/7, R = 1, F1 = 0.727.
    expect(textF1('The Short Second Life of Bree Tanner', 'The Short Second Life')).toBe(1);
    expect(textF1('June 2010 (paperback)', ': June 2010')).toBe(1);
    // The test is on characters: "the artist" is kept, matching one token of two.
    expect(textF1('the artist formerly', 'the art')).toBe(0.5);
    // A prediction shorter than the gold is not cut: P = 1, R = 2/3.
    expect(textF1('short second', 'short second life')).toBeCloseTo(0.8, 10);
  });

  it('strict F1 is the same metric without the prefix rule', () => {
    expect(strictTextF1('The Short Second Life of Bree Tanner', 'The Short Second Life')).toBeCloseTo(8 / 11, 10);
    expect(strictTextF1('Toy Story 2', 'Toy Story')).toBeCloseTo(0.8, 10);
    expect(strictTextF1('Toy Story', 'toy story')).toBe(1);
    expect(strictTextF1('Gaiman, Pratchett', 'Pratchett, Gaiman')).toBe(1);
    expect(strictTextF1(null, [])).toBe(1);
  });

  it('does not let an empty gold act as a prefix of everything', () => {
    expect(textF1('anything at all', [])).toBe(0);
  });

  it('compares comma-separated lists as sets', () => {
    expect(textF1('Gaiman, Pratchett', 'Pratchett, Gaiman')).toBe(1);
    expect(textF1(['b', 'a'], 'a, b')).toBe(1);
    expect(textF1('a, a, b', ['b', 'a'])).toBe(1);
    // A comma between digits is a thousands separator, dropped rather than splitting.
    expect(textF1('$1000', '$1,000')).toBe(1);
    // Different sets fall back to token F1: tokens x y vs x z.
    expect(textF1('x, y', 'x, z')).toBe(0.5);
  });

  it('treats a multi-valued gold as one set of values', () => {
    const gold = ['Terry Pratchett', 'Neil Gaiman'];
    expect(textF1(['Neil Gaiman', 'Terry Pratchett'], gold)).toBe(1);
    expect(textF1('Neil Gaiman, Terry Pratchett', gold)).toBe(1);
    // One of two names: P = 1, R = 2/4.
    expect(textF1('Terry Pratchett', gold)).toBeCloseTo(2 / 3, 10);
    // Extra word: 4 of 5 predicted tokens are right, all gold tokens found: F1 = 8/9.
    expect(textF1('Neil Gaiman and Terry Pratchett', gold)).toBeCloseTo(8 / 9, 10);
    // As in Evaporate, the values are joined before the prefix rule, which then forgives extra trailing values.
    expect(textF1(['Terry Pratchett', 'Neil Gaiman', 'Someone Else'], gold)).toBe(1);
  });
});

describe('sameAttributeName', () => {
  it('ignores case, spacing, _/-, "(s)" and plural endings', () => {
    expect(sameAttributeName('Release Dates', 'release_date')).toBe(true);
    expect(sameAttributeName('isbn-13', 'ISBN 13')).toBe(true);
    expect(sameAttributeName('addresses', 'address')).toBe(true);
    expect(sameAttributeName('author(s)', 'authors')).toBe(true);
    expect(sameAttributeName('date', 'data')).toBe(false);
    expect(sameAttributeName('', '')).toBe(false);
  });
});

describe('pairF1', () => {
  const gold = [
    { doc: 'd1', attribute: 'release date', value: '2010' },
    { doc: 'd1', attribute: 'director', value: 'Ridley Scott' },
    { doc: 'd2', attribute: 'genres', value: ['Drama', 'Comedy'] },
    { doc: 'd2', attribute: 'director', value: '' },
  ];

  it('matches names leniently, values exactly without whitespace, lists as sets; repeats count once', () => {
    const pred = [
      { doc: 'd1', attribute: 'Release_Dates', value: '2010' },
      { doc: 'd1', attribute: 'Director', value: 'ridley  scott' },
      { doc: 'd1', attribute: 'director', value: 'RidleyScott' },
      { doc: 'd2', attribute: 'genre', value: 'Comedy, Drama' },
      { doc: 'd2', attribute: 'budget', value: '$5' },
    ];
    // 4 distinct predicted facts (the two directors are one), 3 match; 3 gold facts (the empty one is ignored), all found.
    const result = pairF1(pred, gold);
    expect(result.precision).toBeCloseTo(3 / 4, 10);
    expect(result.recall).toBe(1);
    expect(result.f1).toBeCloseTo(6 / 7, 10);
  });

  it('does not match a different value, document or attribute', () => {
    const pred = [
      { doc: 'd1', attribute: 'director', value: 'Ridley Scot' },
      { doc: 'd2', attribute: 'release date', value: '2010' },
      { doc: 'd1', attribute: 'genres', value: '2010' },
    ];
    expect(pairF1(pred, gold)).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('matches a value with commas dropped, as Evaporate compares them', () => {
    const result = pairF1([{ doc: 'd', attribute: 'vendor', value: 'Tom & Jerry, Ltd' }], [{ doc: 'd', attribute: 'vendor', value: 'Tom &amp; Jerry Ltd' }]);
    expect(result.f1).toBe(1);
  });

  it('scores nothing against nothing as 1 and nothing against something as 0', () => {
    expect(pairF1([], []).f1).toBe(1);
    expect(pairF1([], gold)).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('schemaF1AtK', () => {
  const gold = ['title', 'director', 'genre', 'mpaa_rating'];
  const pred = ['title', 'Directors', 'release_date', 'budget', 'Title'];

  it('scores the top k names against the gold', () => {
    // top 1: title. P = 1, R = 1/4.
    expect(schemaF1AtK(pred, gold, 1)).toEqual({ precision: 1, recall: 0.25, f1: 0.4 });
    // top 3: title, Directors, release_date. P = 2/3, R = 2/4, F1 = 4/7.
    const at3 = schemaF1AtK(pred, gold, 3);
    expect(at3.precision).toBeCloseTo(2 / 3, 10);
    expect(at3.recall).toBe(0.5);
    expect(at3.f1).toBeCloseTo(4 / 7, 10);
  });

  it('counts a repeated name once and takes all names when k exceeds them', () => {
    // "Title" repeats "title": top 10 holds 4 names, 2 right. P = R = 1/2.
    expect(schemaF1AtK(pred, gold, 10)).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it('rejects a k that is not a positive integer', () => {
    expect(() => schemaF1AtK(pred, gold, 0)).toThrow(/positive integer/);
  });
});

describe('calibration', () => {
  it('is 0 when confidence matches the share of right cells, and large when it does not', async () => {
    const { calibration } = await import('../src/eval/index.ts');
    const honest = [...Array.from({ length: 8 }, (_, i) => ({ confidence: 0.85, right: i < 7 })), ...Array.from({ length: 4 }, (_, i) => ({ confidence: 0.25, right: i < 1 }))];
    // 0.85 with 7 of 8 right (0.875), 0.25 with 1 of 4 right (0.25): gaps 0.025 and 0, weighted 8/12 and 4/12.
    expect(calibration(honest).ece).toBeCloseTo((8 / 12) * 0.025, 10);
    const overconfident = Array.from({ length: 10 }, (_, i) => ({ confidence: 0.95, right: i < 3 }));
    expect(calibration(overconfident).ece).toBeCloseTo(0.65, 10);
    expect(calibration([])).toMatchObject({ ece: 0, cells: 0 });
    expect(calibration([{ confidence: 1, right: true }]).bins[9]).toMatchObject({ cells: 1, accuracy: 1 });
  });
});
