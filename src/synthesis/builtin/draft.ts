/**
 * A draft candidate is one JavaScript expression over `doc` (the view), `lines` (its text lines),
 * `text` (those lines joined) and `$`; the synthesizer measures drafts on the sample, keeps the best,
 * and turns each into a complete `function extract(doc, $)` source.
 */
import { literal } from './runtime.ts';
import type { AttributeProfile } from './words.ts';

/** Strategy families: selection takes from each in turn so that the kept candidates stay diverse. */
export type Family = 'learned' | 'element' | 'label' | 'markup' | 'context' | 'type' | 'layout';

export interface Draft {
  /** Reported as the candidate's strategy, e.g. `label-line`, `meta`, `type:date`. */
  strategy: string;
  family: Family;
  /** JavaScript expression giving the value (string, string list, or null). */
  expression: string;
  /** Lower is tried first among drafts with the same sample support. */
  rank: number;
  /** When set, support is measured with this expression instead (drafts that use `$`, which the host lacks). */
  proxy?: string;
  /**
   * Worth keeping even when nothing in the sample supports it: a generic label layout that other
   * documents of a mixed corpus (another site, another house style) may use.
   */
  fallback?: boolean;
}

/** Shapes a located raw string into the value: a JavaScript expression over `v`. */
export interface Shape {
  /** Suffix for the strategy name when the shape is a secondary one (e.g. `raw`). */
  tag: string;
  expression: string;
}

/**
 * The ways to turn the text found next to a label into a value: the kind's pattern first, then, for
 * diversity, the text as written (or the whole text instead of a list, and vice versa).
 */
export function shapesFor(profile: AttributeProfile): Shape[] {
  const form = profile.dateForm === undefined ? 'null' : literal(profile.dateForm);
  const text: Shape[] = profile.multi
    ? [
        { tag: '', expression: 'splitList(v)' },
        { tag: 'whole', expression: 'dropLead(v)' },
      ]
    : [
        { tag: '', expression: 'dropLead(v)' },
        { tag: 'raw', expression: 'cleanValue(v)' },
      ];
  // The text as written, for kinds with a pattern only when it holds a value of the kind.
  const rawIf = (test: string): Shape => ({ tag: 'raw', expression: `${test} ? cleanValue(v) : null` });
  switch (profile.kind) {
    case 'date':
      return profile.dateForm === undefined
        ? [{ tag: '', expression: `pickDate(v, null, 'dmy')` }, rawIf(`pickDate(v, null, 'dmy')`)]
        : [
            { tag: '', expression: `pickDate(v, ${form}, 'mdy')` },
            { tag: 'dmy', expression: `pickDate(v, ${form}, 'dmy')` },
          ];
    case 'year':
      return [{ tag: '', expression: 'pickYear(v)' }, rawIf('pickYear(v)')];
    case 'isbn':
      return [
        { tag: '', expression: `pickIsbn(v, ${literal(profile.variant ?? 'any')}, false, false)` },
        rawIf(`pickIsbn(v, ${literal(profile.variant ?? 'any')}, false, false)`),
      ];
    case 'money':
      return [
        { tag: '', expression: `pickAmount(v, 'last')` },
        { tag: 'first', expression: `pickAmount(v, 'first')` },
      ];
    case 'phone':
      return [{ tag: '', expression: 'pickPhone(v)' }, rawIf('pickPhone(v)')];
    case 'email':
      return [{ tag: '', expression: 'pickEmail(v)' }, rawIf('pickEmail(v)')];
    case 'url':
      return [{ tag: '', expression: 'pickUrl(v)' }, rawIf('pickUrl(v)')];
    case 'duration':
      return [{ tag: '', expression: 'pickDuration(v)' }, rawIf('pickDuration(v)')];
    case 'period':
      return [{ tag: '', expression: 'pickPeriod(v)' }, rawIf('pickPeriod(v)')];
    case 'number':
      return [{ tag: '', expression: 'pickNumber(v)' }, rawIf('pickNumber(v)')];
    case 'place':
      return [{ tag: '', expression: 'pickPlace(dropLead(v))' }, rawIf('pickPlace(dropLead(v))')];
    case 'person':
      // People are often listed ("by A and B") even under a singular name.
      return profile.multi ? text : [text[0]!, { tag: 'list', expression: 'splitList(v)' }, text[1]!];
    default:
      return text;
  }
}

/** `firstValue` (or, for multi-valued attributes, `collectValues`) of located strings under a shape. */
export function shaped(located: string, shape: Shape, collect = false): string {
  return `${collect ? 'collectValues' : 'firstValue'}(${located}, function (v) { return ${shape.expression}; })`;
}

export function strategyName(base: string, shape: Shape): string {
  return shape.tag === '' ? base : `${base}:${shape.tag}`;
}
