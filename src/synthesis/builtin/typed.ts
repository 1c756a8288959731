/**
 * Drafts that need no label: values recognised by their form anywhere in the document (dates, ISBNs,
 * amounts, phone numbers, ...), and layout conventions of a kind of value (an organisation's name
 * near the top, an address block, the parties named after "between", the place after "laws of").
 */
import type { Draft } from './draft.ts';
import { literal } from './runtime.ts';
import type { AttributeProfile } from './words.ts';

function draft(strategy: string, family: Draft['family'], expression: string, rank: number): Draft {
  return { strategy, family, expression, rank };
}

/** Whole-document pattern drafts for the attribute's kind. */
export function typeDrafts(profile: AttributeProfile): Draft[] {
  const t = (suffix: string, expression: string, rank: number): Draft => draft(`type:${profile.kind}${suffix}`, 'type', expression, rank);
  const head = 'lines.slice(0, 20).join("\\n")';
  switch (profile.kind) {
    case 'date': {
      const form = profile.dateForm === undefined ? 'null' : literal(profile.dateForm);
      const orders = profile.dateForm === undefined ? ['dmy'] : ['mdy', 'dmy'];
      return orders.flatMap((order, o) => {
        const tag = o === 0 ? '' : `:${order}`;
        return [
          t(`:first${tag}`, `pickDate(text, ${form}, '${order}')`, o),
          t(`:common${tag}`, `commonDate(text, ${form}, '${order}')`, 2 + o),
          t(`:head${tag}`, `commonDate(${head}, ${form}, '${order}')`, 4 + o),
          t(`:last${tag}`, `firstValue(findDates(text, '${order}').reverse(), function (d) { return formatDate(d, ${form}); })`, 6 + o),
        ];
      });
    }
    case 'year':
      return [t(':first', 'pickYear(text)', 0)];
    case 'isbn': {
      const variant = literal(profile.variant ?? 'any');
      return [
        t(':first', `pickIsbn(text, ${variant}, false, false)`, 0),
        t(':checked', `pickIsbn(text, ${variant}, true, false)`, 1),
        t(':digits', `pickIsbn(text, ${variant}, true, true)`, 2),
      ];
    }
    case 'money':
      return [
        t(':common', 'commonAmount(text)', 0),
        t(':max', `pickAmount(text, 'max')`, 1),
        t(':last', `pickAmount(text, 'last')`, 2),
      ];
    case 'phone':
      return [t(':first', 'pickPhone(text)', 0)];
    case 'email':
      return [t(':first', 'pickEmail(text)', 0)];
    case 'url':
      return [t(':first', 'pickUrl(text)', 0), t(':href', 'pickUrl(doc)', 1)];
    case 'duration':
      return [t(':first', 'pickDuration(text)', 0)];
    case 'period':
      return [t(':first', 'pickPeriod(text)', 0)];
    default:
      return [];
  }
}

const GOVERNING = literal('(?<![A-Za-z])(?:governed|construed|interpreted|enforced)\\b[^.]{0,120}?\\blaws?\\s+of\\s+(.{0,80})');
const PERIOD_OF = literal('(?<![A-Za-z])(?:period|term)\\s+of\\s+(.{0,40})');
const STATE_OF = literal('(?<![A-Za-z])(?:State|Commonwealth)\\s+of\\s+(.{0,60})');

/** Layout conventions for kinds whose values usually have no label. */
export function layoutDrafts(profile: AttributeProfile): Draft[] {
  const l = (strategy: string, expression: string, rank: number): Draft => draft(strategy, 'layout', expression, rank);
  switch (profile.kind) {
    case 'organization':
      return [
        l('org-line', 'orgName(orgLine(lines, 12))', 0),
        l('org-line:raw', 'cleanValue(orgLine(lines, 12))', 0),
        l('head-line', 'cleanValue(headLine(lines, 0))', 1),
        l('head-line:second', 'cleanValue(headLine(lines, 1))', 2),
        l('org-name', 'findOrgs(text.slice(0, 4000))[0] || null', 3),
        l('first-line', 'cleanValue(lines[0] || null)', 4),
      ];
    case 'address':
      return [
        l('address-block', 'addressBlock(lines, 25, false)', 0),
        l('address-block:until-stop', 'addressBlock(lines, 25, true)', 1),
        l('header-address', 'headerAddress(lines)', 2),
        l('address-block:any', 'addressBlock(lines, lines.length, false)', 3),
      ];
    case 'party':
      return [
        l('between', 'findParties(flow.slice(0, 5000))', 0),
        l('org-names', 'findOrgs(text.slice(0, 5000)).slice(0, 2)', 1),
        l('between:first-org', `(function (p) { return p && p.length > 0 ? p : null; })(findOrgs(text.slice(0, 2000)).slice(0, 1))`, 2),
      ];
    case 'place':
      return [
        l('governing-law', `firstValue(matchValues(flow, new RegExp(${GOVERNING}, "gi")), pickPlace)`, 0),
        l('governing-law:last', `firstValue(matchValues(flow, new RegExp(${GOVERNING}, "gi")).reverse(), pickPlace)`, 1),
        l('state-of', `firstValue(matchValues(flow, new RegExp(${STATE_OF}, "g")), pickPlace)`, 2),
        l('state-of:common', `mostCommon(matchValues(flow, new RegExp(${STATE_OF}, "g")).map(pickPlace))`, 3),
      ];
    case 'period':
      return [
        l('period-of', `firstValue(matchValues(flow, new RegExp(${PERIOD_OF}, "gi")), pickPeriod)`, 0),
        l('period-of:common', `mostCommon(matchValues(flow, new RegExp(${PERIOD_OF}, "gi")).map(pickPeriod))`, 1),
      ];
    case 'title':
      return [l('head-line', 'cleanValue(headLine(lines, 0))', 0), l('first-line', 'cleanValue(lines[0] || null)', 1)];
    default:
      return [];
  }
}
