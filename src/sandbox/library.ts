/**
 * The sandbox library: helpers every extractor receives as its third argument, `extract(doc, $, lib)`, beside
 * `$`. They are ordinary JavaScript (the text below), compiled inside each isolate after it is locked down, so
 * they run under the same rules as the functions that call them. The helpers over a whole document (its text
 * lines, title, headings...) are computed at most once per document and shared by every function; what they
 * return is frozen, so one function cannot change what the next one reads (see ./guest/library.ts).
 *
 * Versioned: once released a helper keeps its name and its results; new helpers raise LIBRARY_VERSION, and a
 * program records the version it was written against, so an older program keeps working and a newer one is
 * refused with a clear message by an older sandbox. The built-in synthesizer writes its candidates over these
 * helpers, and compiles the same text on the host to read the sample exactly as its candidates will.
 */

import { buildLibrary } from './guest/library.ts';
import type { Library } from './guest/library.ts';

export type { Library };

/** The version of {@link LIBRARY_HELPERS} this sandbox provides. */
export const LIBRARY_VERSION = 1;

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

/** Helper name to its JavaScript text (one function declaration each). Append only: see the module comment. */
export const LIBRARY_HELPERS: Readonly<Record<string, string>> = {
  isHtml: `function isHtml(doc) {
  return /<\\/(?:a|b|p|i|em|div|span|li|td|th|tr|dd|dt|h[1-6]|title|table|ul|ol|strong|font|section|article|main|header|footer|label|small|time|button)>/i.test(doc);
}`,
  decode: `function decode(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#0?39;/g, "'").replace(/&amp;/g, '&');
}`,
  // Table and definition cells become tabs so that "label<TAB>value" survives; other tags become spaces.
  // Works on a whole view at once (one pass per rule is much faster than one per line).
  strip: `function strip(html) {
  return decode(html.replace(/<\\/?(?:td|th|dt|dd)\\b[^>]*>/gi, '\\t').replace(/<[^>]*>/g, ' '))
    .replace(/[ \\u00a0]+/g, ' ').replace(/ ?\\t[\\t ]*/g, '\\t').replace(/ ([,;:!?])/g, '$1').replace(/^[\\t ]+|[\\t ]+$/gm, '');
}`,
  textLines: `function textLines(doc) {
  var text = isHtml(doc) ? strip(doc) : doc.replace(/[ \\t\\u00a0]+/g, ' ').replace(/^ | $/gm, '');
  return text.split('\\n').filter(function (line) { return line !== ''; });
}`,
  joinedText: `function joinedText(doc) {
  return textLines(doc).join('\\n');
}`,
  // The lines joined by spaces: prose whose sentences run over line breaks.
  flowText: `function flowText(doc) {
  return joinedText(doc).replace(/\\n/g, ' ');
}`,
  // Values after a label: group 1 of \`re\` on each line, in line order.
  labelValues: `function labelValues(lines, re) {
  var out = [];
  for (var i = 0; i < lines.length; i++) {
    var m = re.exec(lines[i]);
    if (m && m[1] !== undefined) out.push(m[1]);
  }
  return out;
}`,
  // Group 1 of every match of a global \`re\` in a text (prose, where a value may run over a line break).
  matchValues: `function matchValues(text, re) {
  var out = [];
  var m;
  while ((m = re.exec(text)) !== null && out.length < 200) {
    if (m[1] !== undefined) out.push(m[1]);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}`,
  // Values on the line after a line that is only a label (dt/dd, label and value in sibling blocks).
  nextLineValues: `function nextLineValues(lines, re) {
  var out = [];
  for (var i = 0; i + 1 < lines.length; i++) {
    if (re.test(lines[i])) out.push(lines[i + 1]);
  }
  return out;
}`,
  // Same-line value first, else the next line: one value per label occurrence.
  labelOrNextValues: `function labelOrNextValues(lines, re) {
  var out = [];
  for (var i = 0; i < lines.length; i++) {
    var m = re.exec(lines[i]);
    if (!m) continue;
    var rest = (m[1] || '').trim();
    if (rest !== '') out.push(rest);
    else if (i + 1 < lines.length) out.push(lines[i + 1]);
  }
  return out;
}`,
  // The value found most often in a list (ties: the first); nulls ignored.
  mostCommon: `function mostCommon(list) {
  var counts = {};
  var best = null;
  for (var i = 0; i < list.length; i++) {
    var v = list[i];
    if (typeof v !== 'string' || v === '') continue;
    counts[v] = (counts[v] || 0) + 1;
    if (best === null || counts[v] > counts[best]) best = v;
  }
  return best;
}`,
  firstValue: `function firstValue(list, shape) {
  for (var i = 0; i < list.length; i++) {
    var v = shape(list[i]);
    if (v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) return v;
  }
  return null;
}`,
  // Every non-empty shaped value of a list, flattened, without repeats (multi-valued attributes).
  collectValues: `function collectValues(list, shape) {
  var out = [];
  for (var i = 0; i < list.length; i++) {
    var v = shape(list[i]);
    var items = Array.isArray(v) ? v : v === null || v === undefined || v === '' ? [] : [v];
    for (var j = 0; j < items.length; j++) if (out.indexOf(items[j]) < 0) out.push(items[j]);
  }
  return out.length > 0 ? out : null;
}`,
  cleanValue: `function cleanValue(v) {
  if (typeof v !== 'string') return null;
  v = v.split('\\t')[0].replace(/\\s+/g, ' ').replace(/^(?:[\\s:\\uff1a=|>\\u2013\\u2014-]|\\.{2,}|\\u2026)+/, '').replace(/[\\s,;:|]+$/, '').trim();
  return v !== '' && v.length <= 300 ? v : null;
}`,
  // Leading connective words that labels leave behind ("by Jane Roe", "of Oregon", "is June 2010").
  dropLead: `function dropLead(v) {
  var c = cleanValue(v);
  if (c === null) return null;
  c = c.replace(/^(?:(?:written|directed|edited|published|produced|made)\\s+)?(?:by|of|is|are|was|on|at|the|as)\\s+/i, '');
  return c !== '' ? c : null;
}`,
  // The person's name at the start of a text: capitalised words, with the particles names use.
  pickName: `function pickName(v) {
  if (typeof v !== 'string') return null;
  var m = /^\\s*((?:[A-Z\\u00c0-\\u024f][\\w\\u00c0-\\u024f'\\u2019.-]*)(?:\\s+(?:(?:de|da|van|von|der|den|del|della|la|le|di|du|bin|al|st\\.)\\s+)*[A-Z\\u00c0-\\u024f][\\w\\u00c0-\\u024f'\\u2019.-]*){0,3})/.exec(v);
  return m ? m[1].replace(/[.,]$/, '') : null;
}`,
  // Several names joined by "and" or commas ("Jane Roe and John Doe").
  pickNames: `function pickNames(v) {
  if (typeof v !== 'string') return null;
  var out = [];
  var rest = v;
  while (out.length < 6) {
    var name = pickName(rest);
    if (!name) break;
    out.push(name);
    var after = rest.replace(/^\\s*/, '').slice(name.length);
    var join = /^\\s*(?:,\\s*(?:and\\s+)?|\\s+and\\s+|\\s*&\\s*)/.exec(after);
    if (!join) break;
    rest = after.slice(join[0].length);
  }
  return out.length > 1 ? out : out.length === 1 ? out[0] : null;
}`,
  // A value naming several items ("A, B and C", "A / B", "A; B") as a list.
  splitList: `function splitList(v) {
  var c = dropLead(v);
  if (c === null) return null;
  var parts = c.split(/\\s*(?:,|;|\\/|\\||\\u00b7|\\u2022|\\s&\\s|\\sand\\s)\\s*/i);
  var out = [];
  for (var i = 0; i < parts.length; i++) {
    var p = parts[i].trim();
    if (p !== '' && out.indexOf(p) < 0) out.push(p);
  }
  return out.length > 0 ? out : null;
}`,
  dateRe: `function dateRe() {
  var M = '${MONTHS}';
  return new RegExp('(?<![\\\\w/.-])(?:(\\\\d{4})[-/.](\\\\d{1,2})[-/.](\\\\d{1,2})'
    + '|(\\\\d{1,2})[/.-](\\\\d{1,2})[/.-](\\\\d{4}|\\\\d{2})'
    + '|(' + M + ')\\\\.?\\\\s+(\\\\d{1,2})(?:st|nd|rd|th)?\\\\s*,?\\\\s*(\\\\d{4})'
    + '|(\\\\d{1,2})(?:st|nd|rd|th)?(?:\\\\s+day)?(?:\\\\s+of)?\\\\s+(' + M + ')\\\\.?\\\\s*,?\\\\s*(\\\\d{4})'
    + '|(' + M + ')\\\\.?\\\\s*,?\\\\s+(\\\\d{4}))(?![\\\\w/-])', 'gi');
}`,
  // Every date in a text, in order: { text, y, m, d } with d null for "June 2010"; order "dmy" or "mdy" for 01/02/2003.
  findDates: `function findDates(text, order) {
  var names = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  var month = function (s) { return names.indexOf(s.slice(0, 3).toLowerCase()) + 1; };
  var year = function (s) { var y = +s; return s.length === 2 ? (y < 50 ? 2000 + y : 1900 + y) : y; };
  var out = [];
  var re = dateRe();
  var m;
  while ((m = re.exec(text)) !== null) {
    var y, mo, d;
    if (m[1]) { y = +m[1]; mo = +m[2]; d = +m[3]; }
    else if (m[4]) {
      var a = +m[4], b = +m[5];
      y = year(m[6]);
      if (a > 12 || (order !== 'mdy' && b <= 12)) { d = a; mo = b; } else { mo = a; d = b; }
    }
    else if (m[7]) { mo = month(m[7]); d = +m[8]; y = +m[9]; }
    else if (m[10]) { d = +m[10]; mo = month(m[11]); y = +m[12]; }
    else { mo = month(m[13]); d = null; y = +m[14]; }
    if (mo < 1 || mo > 12 || (d !== null && (d < 1 || d > 31)) || y < 1000 || y > 2999) continue;
    out.push({ text: m[0].trim(), y: y, m: mo, d: d });
  }
  return out;
}`,
  // A date written in \`form\` (tokens YYYY, YY, MM, M, DD, D, MMMM, MMM), or as found when there is no form.
  formatDate: `function formatDate(date, form) {
  if (!form) return date.text;
  if (date.d === null && /D/.test(form)) return null;
  var names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  var pad = function (n) { return n < 10 ? '0' + n : String(n); };
  return form.replace(/YYYY|YY|MMMM|MMM|MM|M|DD|D/g, function (t) {
    if (t === 'YYYY') return String(date.y);
    if (t === 'YY') return pad(date.y % 100);
    if (t === 'MMMM') return names[date.m - 1];
    if (t === 'MMM') return names[date.m - 1].slice(0, 3);
    if (t === 'MM') return pad(date.m);
    if (t === 'M') return String(date.m);
    if (t === 'DD') return pad(date.d);
    return String(date.d);
  });
}`,
  pickDate: `function pickDate(text, form, order) {
  if (typeof text !== 'string') return null;
  var dates = findDates(text, order);
  for (var i = 0; i < dates.length; i++) {
    var v = formatDate(dates[i], form);
    if (v) return v;
  }
  return null;
}`,
  // The date written most often in the text (ties: the earliest).
  commonDate: `function commonDate(text, form, order) {
  var dates = findDates(text, order);
  var counts = {};
  var best = null;
  for (var i = 0; i < dates.length; i++) {
    var v = formatDate(dates[i], form);
    if (!v) continue;
    counts[v] = (counts[v] || 0) + 1;
    if (best === null || counts[v] > counts[best]) best = v;
  }
  return best;
}`,
  amountRe: `function amountRe() {
  return /(?<![\\w.,])(?:[$\\u20ac\\u00a3\\u00a5\\u20b9]\\s?)?(\\d{1,3}(?:,\\d{3})+(?:\\.\\d{1,2})?|\\d+\\.\\d{2}|(?<=[$\\u20ac\\u00a3\\u00a5\\u20b9]\\s?)\\d+)(?![\\d.,]?\\d)/g;
}`,
  // Money amounts in a text as written, without currency signs.
  findAmounts: `function findAmounts(text) {
  var out = [];
  var re = amountRe();
  var m;
  while ((m = re.exec(text)) !== null) out.push(m[1]);
  return out;
}`,
  amountValue: `function amountValue(a) { return parseFloat(a.replace(/,/g, '')); }`,
  pickAmount: `function pickAmount(text, which) {
  if (typeof text !== 'string') return null;
  var all = findAmounts(text);
  if (all.length === 0) return null;
  if (which === 'first') return all[0];
  if (which === 'last') return all[all.length - 1];
  var best = all[0];
  for (var i = 1; i < all.length; i++) if (amountValue(all[i]) > amountValue(best)) best = all[i];
  return best;
}`,
  // The amount written most often (a total is repeated: subtotal, total, paid); ties go to the larger.
  commonAmount: `function commonAmount(text) {
  if (typeof text !== 'string') return null;
  var all = findAmounts(text);
  var counts = {};
  var best = null;
  for (var i = 0; i < all.length; i++) {
    var a = all[i];
    counts[a] = (counts[a] || 0) + 1;
    if (best === null || counts[a] > counts[best] || (counts[a] === counts[best] && amountValue(a) > amountValue(best))) best = a;
  }
  return best;
}`,
  // ISBN-13 or ISBN-10 (kind 13, 10, or any), check digit verified when \`strict\`, hyphens removed when \`bare\`.
  pickIsbn: `function pickIsbn(text, kind, strict, bare) {
  if (typeof text !== 'string') return null;
  var re = /(?<![\\dA-Za-z])(97[89](?:[\\s-]?\\d){10}|\\d(?:[\\s-]?\\d){8}[\\s-]?[\\dXx])(?![\\dA-Za-z])/g;
  var m;
  while ((m = re.exec(text)) !== null) {
    var digits = m[1].replace(/[\\s-]/g, '');
    if (kind === '13' && digits.length !== 13) continue;
    if (kind === '10' && digits.length !== 10) continue;
    if (strict && !isbnValid(digits)) continue;
    return bare ? digits : m[1];
  }
  return null;
}`,
  isbnValid: `function isbnValid(d) {
  var sum = 0, i;
  if (d.length === 13) {
    for (i = 0; i < 13; i++) sum += (+d[i]) * (i % 2 === 0 ? 1 : 3);
    return sum % 10 === 0;
  }
  for (i = 0; i < 10; i++) sum += (d[i] === 'X' || d[i] === 'x' ? 10 : +d[i]) * (10 - i);
  return sum % 11 === 0;
}`,
  pickPhone: `function pickPhone(text) {
  if (typeof text !== 'string') return null;
  var re = /(?<![\\w+])(\\+?\\(?\\d{1,4}\\)?(?:[\\s.-]?\\(?\\d{2,5}\\)?){1,4})(?![\\w])/g;
  var m;
  while ((m = re.exec(text)) !== null) {
    var n = m[1].replace(/\\D/g, '').length;
    if (n >= 7 && n <= 15 && !/^\\d{1,2}[\\/.]\\d{1,2}[\\/.]\\d{2,4}$/.test(m[1])) return m[1].trim();
  }
  return null;
}`,
  pickEmail: `function pickEmail(text) {
  if (typeof text !== 'string') return null;
  var m = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}/.exec(text);
  return m ? m[0] : null;
}`,
  pickUrl: `function pickUrl(text) {
  if (typeof text !== 'string') return null;
  var m = /\\b(?:https?:\\/\\/|www\\.)[^\\s"'<>]+/i.exec(text);
  return m ? m[0].replace(/[.,;:)]+$/, '') : null;
}`,
  pickYear: `function pickYear(text) {
  if (typeof text !== 'string') return null;
  var m = /(?<![\\d.,])(1[5-9]\\d\\d|20\\d\\d)(?![\\d.,]?\\d)/.exec(text);
  return m ? m[1] : null;
}`,
  pickNumber: `function pickNumber(text) {
  if (typeof text !== 'string') return null;
  var m = /(?<![\\w.])-?\\d+(?:[.,]\\d+)?(?![\\w])/.exec(text);
  return m ? m[0] : null;
}`,
  // A running time as written: "1h 59m", "2 hr 5 min", "165 min", "149 minutes", "2 hours".
  pickDuration: `function pickDuration(text) {
  if (typeof text !== 'string') return null;
  var m = /(?<![\\w.])(\\d+\\s*(?:h|hrs?|hours?)\\.?\\s*\\d+\\s*(?:m|mins?|minutes?)\\.?|\\d+\\s*(?:mins?|minutes?|m)\\.?|\\d+(?:\\.\\d+)?\\s*(?:h|hrs?|hours?)\\.?)(?![\\w])/i.exec(text);
  return m ? m[1].trim() : null;
}`,
  // A period as "<n> <unit>s": "two (2) years" and "twelve months" become "2 years" and "12 months".
  pickPeriod: `function pickPeriod(text) {
  if (typeof text !== 'string') return null;
  var re = /\\b(\\d+|(?:[a-z]+[\\s-])?[a-z]+)\\s*(?:\\(\\s*(\\d+)\\s*\\)\\s*)?(?:full\\s+|calendar\\s+)?(year|month|week|day)s?\\b/gi;
  var m;
  while ((m = re.exec(text)) !== null) {
    var n = m[2] ? +m[2] : /^\\d+$/.test(m[1]) ? +m[1] : wordNumber(m[1]);
    if (n > 0 && n < 1000) return n + ' ' + m[3].toLowerCase() + (n === 1 ? '' : 's');
  }
  return null;
}`,
  // "twenty-four" -> 24; the last one or two words of the text count ("of two" -> 2); NaN when none is a number.
  wordNumber: `function wordNumber(s) {
  var units = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
    'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
  var tens = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
  var w = s.toLowerCase().split(/[\\s-]+/);
  var last = w[w.length - 1];
  var before = w.length > 1 ? w[w.length - 2] : '';
  var n = units.indexOf(last);
  if (n < 0) return tens[last] !== undefined ? tens[last] : NaN;
  if (n > 0 && n < 10 && tens[before] !== undefined) n += tens[before];
  return n;
}`,
  // "the laws of the State of New York" -> "New York".
  pickPlace: `function pickPlace(text) {
  if (typeof text !== 'string') return null;
  var m = /^\\s*(?:the\\s+)?(?:(?:State|Commonwealth|Province|Republic|Kingdom|Government|District)\\s+of\\s+(?:the\\s+)?)?((?:[A-Z][\\w.'-]*|of|the)(?:\\s+(?:[A-Z][\\w.'-]*|of(?=\\s+[A-Z])))*)/.exec(text);
  if (!m) return null;
  var v = m[1].replace(/\\s+(?:of|the)$/, '').replace(/[.,]+$/, '');
  return v.length > 1 && v.length < 60 ? v : null;
}`,
  // Organisation names ending in a legal form ("Acme, Inc.", "X SDN BHD"), as written, in order.
  findOrgs: `function findOrgs(text) {
  var re = /((?:[A-Z0-9&][\\w&.'\\u2019-]*,?\\s+){0,6}?(?:[A-Z0-9&][\\w&.'\\u2019-]*),?\\s+(?:Inc|Incorporated|Corp|Corporation|Company|Co|Ltd|Limited|LLC|L\\.L\\.C|LLP|L\\.P|LP|PLC|plc|GmbH|AG|S\\.A|N\\.V|B\\.V|Pty|SDN\\.?\\s*BHD|BHD|Bhd|Sdn\\.?\\s*Bhd|Holdings|Group|Partners|Bancorp|Trust|Bank)\\b\\.?)/g;
  var out = [];
  var m;
  while ((m = re.exec(text)) !== null) {
    var v = m[1].replace(/^(?:(?:The|This|and|And|between|Between|by|By|with|With|of|Of)\\s+)+/, '').replace(/\\s+/g, ' ').trim();
    if (v !== '' && out.indexOf(v) < 0) out.push(v);
  }
  return out;
}`,
  // The parties named after "between"/"among": "between A, a Delaware corporation (...), and B (...)".
  // The first occurrence that names at least one capitalised party wins.
  findParties: `function findParties(text) {
  var re = /\\b(?:between|among)\\s+([\\s\\S]{3,600}?)(?:\\.\\s+(?=[A-Z][a-z]|[A-Z]{3,}\\s+[A-Z]{3,})|\\bWHEREAS\\b|\\bRECITALS?\\b|$)/gi;
  var m;
  while ((m = re.exec(text)) !== null) {
    var parts = m[1].split(/\\s*(?:,\\s*)?\\band\\s+(?=[A-Z\\u201c"(])/);
    var out = [];
    for (var i = 0; i < parts.length && out.length < 4; i++) {
      var p = parts[i].replace(/\\s*[(\\u201c"].*$/, '')
        .split(/,?\\s+(?:a|an)\\s+(?=(?:\\S+\\s+){0,4}?(?:corporation|company|limited|partnership|individual|entity|organized|formed|incorporated|bank|association|trust|resident)\\b)/i)[0]
        .split(/,\\s+(?:a|an|the|with|having|whose|located|residing)\\s/i)[0]
        .replace(/^(?:the|and)\\s+/i, '').replace(/[,;:\\s]+$/, '').trim();
      var words = p.split(/\\s+/);
      var named = words.filter(function (w) { return /^[A-Z0-9&]/.test(w); }).length;
      // A name is a few mostly capitalised words, not a role ("the Company") or a clause.
      if (p.length > 1 && words.length <= 8 && named * 2 >= words.length && /^[A-Z0-9]/.test(p)
        && !/^(?:Company|Employee|Executive|Party|Parties|Buyer|Seller|Recipient)$/i.test(p)) out.push(p);
    }
    if (out.length > 0) return out;
  }
  return null;
}`,
  // The block of address lines: from the first line that looks like a street line to the line with a
  // postal code (plus a short place line after it), or, when \`untilStop\`, up to the first line that is not address.
  addressBlock: `function addressBlock(lines, limit, untilStop) {
  var street = /\\b(?:no\\.?\\s*\\d|lot\\s*\\d|unit|suite|ste\\.?|floor|fl\\.|blk|block|building|bldg|street|st\\.|road|rd\\.?|avenue|ave\\.?|boulevard|blvd|lane|ln\\.|drive|dr\\.|way|highway|hwy|plaza|square|sq\\.|p\\.?o\\.? box|jalan|jln|jl\\.?|taman|rue|strasse|stra\\u00dfe|calle|via)\\b/i;
  var postal = /(?<![\\w-])(?:\\d{5}(?:-\\d{4})?|\\d{4,6}|[A-Z]\\d[A-Z]\\s?\\d[A-Z]\\d|[A-Z]{1,2}\\d[A-Z\\d]?\\s?\\d[A-Z]{2})(?![\\w-])/;
  var n = Math.min(lines.length, limit);
  for (var i = 0; i < n; i++) {
    if (!street.test(lines[i]) || notAddress(lines[i])) continue;
    var end = -1;
    for (var j = i; j < n && j < i + 6 && !notAddress(lines[j]); j++) if (untilStop || postal.test(lines[j])) end = j;
    if (end < 0) continue;
    if (!untilStop && end + 1 < n && !notAddress(lines[end + 1]) && !/\\d/.test(lines[end + 1]) && lines[end + 1].length <= 30) end += 1;
    return lines.slice(i, end + 1).join(' ').replace(/\\s+/g, ' ').trim();
  }
  return null;
}`,
  // The lines under a document's first line (a letterhead's name) that are address, e.g. on a receipt.
  headerAddress: `function headerAddress(lines) {
  var i = 1;
  while (i < lines.length && i < 4 && (notAddress(lines[i]) || /^\\(?[\\w.-]*\\d[\\w.-]*\\)?$/.test(lines[i]) || /^\\(.*\\)$/.test(lines[i]))) i++;
  var out = [];
  for (; i < lines.length && out.length < 5 && !notAddress(lines[i]); i++) out.push(lines[i]);
  return out.length > 0 ? out.join(' ').replace(/\\s+/g, ' ').trim() : null;
}`,
  notAddress: `function notAddress(line) {
  return /\\b(?:tel|phone|fax|mobile|h\\/p|email|e-mail|gst|vat|tax|invoice|receipt|date|cashier|reg|www|http)\\b|@|:/i.test(line) || /^[\\d\\s()+.-]{7,}$/.test(line);
}`,
  // Lines that name an organisation by its legal form, e.g. a shop's name at the top of a receipt.
  orgLine: `function orgLine(lines, limit) {
  var re = /\\b(?:inc|incorporated|corp|corporation|company|co|ltd|limited|llc|llp|plc|gmbh|ag|sa|pty|sdn\\.?\\s*bhd|bhd|s\\/b|enterprises?|trading|holdings|group|restaurant|restoran|cafe|store|stores|shop|mart|market|supermarket|hardware|pharmacy|bakery|station)\\b\\.?/i;
  var n = Math.min(lines.length, limit);
  for (var i = 0; i < n; i++) if (re.test(lines[i]) && /[A-Za-z]{2}/.test(lines[i]) && !/:/.test(lines[i])) return lines[i];
  return null;
}`,
  // An organisation's name without what follows its legal form: "ACME SDN BHD (12345-X)" -> "ACME SDN BHD".
  orgName: `function orgName(line) {
  if (typeof line !== 'string') return null;
  var m = /^(.*\\b(?:inc|incorporated|corp|corporation|company|co|ltd|limited|llc|llp|plc|gmbh|ag|pty|sdn\\.?\\s*bhd|bhd|s\\/b)\\b\\.?)/i.exec(line);
  var v = (m ? m[1] : line).replace(/\\s*\\([^)]*\\)?\\s*$/, '').trim();
  return v !== '' ? v : null;
}`,
  // The first line that reads like a heading: letters, no label, no digits-only, not a document kind.
  headLine: `function headLine(lines, skip) {
  var seen = 0;
  for (var i = 0; i < lines.length && i < 15; i++) {
    var l = lines[i];
    if (/[:@]|https?:|^\\W*$/.test(l) || !/[A-Za-z]{3}/.test(l) || /\\d{3,}/.test(l)) continue;
    if (/^\\W*(?:(?:tax|simplified|official|cash|sales|credit)\\s+)*(?:invoice|receipt|bill|statement|quotation|order)\\b/i.test(l)) continue;
    if (seen++ >= skip) return l;
  }
  return null;
}`,
  // Text of every element whose opening tag matches \`open\` (a RegExp source for the inside of the tag).
  elementTexts: `function elementTexts(doc, open) {
  var re = new RegExp('<([a-z][a-z0-9]*)\\\\b(?=[^>]*' + open + ')[^>]*>', 'gi');
  var out = [];
  var m;
  while ((m = re.exec(doc)) !== null && out.length < 50) {
    var content = /\\scontent="([^"]*)"/.exec(m[0]) || /\\sdatetime="([^"]*)"/.exec(m[0]);
    if (content && content[1].trim() !== '') { out.push(decode(content[1])); continue; }
    var text = strip(innerHtml(doc, m)).replace(/\\s+/g, ' ').trim();
    if (text !== '') out.push(text);
  }
  return out;
}`,
  // The HTML inside the element whose start tag \`open\` (a RegExp match of "<tag ...>" with the tag name in group 1) is.
  innerHtml: `function innerHtml(doc, open) {
  var tag = open[1].toLowerCase();
  var start = open.index + open[0].length;
  var depth = 1;
  var walk = new RegExp('<(/?)' + tag + '\\\\b[^>]*>', 'gi');
  walk.lastIndex = start;
  var w;
  while ((w = walk.exec(doc)) !== null) {
    depth += w[1] ? -1 : 1;
    if (depth === 0) return doc.slice(start, w.index);
  }
  return doc.slice(start);
}`,
  // The HTML of the element that comes right after each element whose whole text is a label, when it matches \`open\`.
  afterLabel: `function afterLabel(doc, label, open) {
  var re = new RegExp('>\\\\s*(?:' + label + ')\\\\s*[:\\\\uff1a]?\\\\s*<', 'gi');
  var next = new RegExp('(?:</[a-z][a-z0-9]*>\\\\s*)*<([a-z][a-z0-9]*)\\\\b(?=[^>]*' + open + ')[^>]*>', 'iy');
  var out = [];
  var m;
  while ((m = re.exec(doc)) !== null && out.length < 10) {
    next.lastIndex = m.index + m[0].length - 1;
    var t = next.exec(doc);
    if (t) out.push(innerHtml(doc, t));
  }
  return out;
}`,
  // The items of an HTML fragment: its list items or links when it has several, else its text.
  itemTexts: `function itemTexts(html) {
  if (typeof html !== 'string') return null;
  var items = [];
  var re = /<(li|a)\\b[^>]*>([\\s\\S]*?)<\\/\\1>/gi;
  var m;
  while ((m = re.exec(html)) !== null) {
    var t = strip(m[2]).replace(/\\s+/g, ' ').trim();
    if (t !== '' && items.indexOf(t) < 0) items.push(t);
  }
  if (items.length > 1) return items;
  return splitList(strip(html).replace(/\\s+/g, ' '));
}`,
  fragmentText: `function fragmentText(html) {
  return typeof html === 'string' ? cleanValue(strip(html).replace(/\\s+/g, ' ')) : null;
}`,
  metaContents: `function metaContents(doc, key) {
  var re = /<meta\\b[^>]*>/gi;
  var out = [];
  var m;
  while ((m = re.exec(doc)) !== null) {
    var name = /\\s(?:name|property|itemprop)="([^"]*)"/.exec(m[0]);
    var content = /\\scontent="([^"]*)"/.exec(m[0]);
    if (name && content && name[1].toLowerCase() === key && content[1].trim() !== '') out.push(decode(content[1]).trim());
  }
  return out;
}`,
  // Values under JSON-LD keys (any depth): strings as they are, objects by their "name".
  jsonLdValues: `function jsonLdValues(doc, keys) {
  var out = [];
  var re = /<script type="application\\/ld\\+json">([\\s\\S]*?)<\\/script>/g;
  var m;
  var visit = function (node, depth) {
    if (node === null || typeof node !== 'object' || depth > 8) return;
    if (Array.isArray(node)) { for (var i = 0; i < node.length; i++) visit(node[i], depth + 1); return; }
    for (var k in node) {
      if (keys.indexOf(k.toLowerCase()) >= 0) {
        var v = node[k];
        var list = Array.isArray(v) ? v : [v];
        var names = [];
        for (var j = 0; j < list.length; j++) {
          var x = list[j];
          if (typeof x === 'string' || typeof x === 'number') names.push(String(x));
          else if (x && typeof x === 'object' && typeof x.name === 'string') names.push(x.name);
        }
        if (names.length > 0) out.push(names);
      }
      visit(node[k], depth + 1);
    }
  };
  while ((m = re.exec(doc)) !== null) {
    try { visit(JSON.parse(decode(m[1])), 0); } catch (e) { }
  }
  return out;
}`,
  titleText: `function titleText(doc) {
  var m = /<title[^>]*>([\\s\\S]*?)<\\/title>/i.exec(doc);
  return m ? strip(m[1]).replace(/\\s+/g, ' ').trim() : null;
}`,
  // A page title without the site name: the part before the last " | ", " - ", " — " or ": ".
  titleHead: `function titleHead(t) {
  if (typeof t !== 'string') return null;
  var parts = t.split(/\\s+[|\\u2013\\u2014\\u00b7\\u2022-]\\s+|:\\s+(?=[^:]*$)/);
  return parts.length > 1 ? parts.slice(0, -1).join(' - ').trim() : t;
}`,
  headingTexts: `function headingTexts(doc, level) {
  var re = new RegExp('<h' + level + '\\\\b[^>]*>([\\\\s\\\\S]*?)<\\\\/h' + level + '>', 'gi');
  var out = [];
  var m;
  while ((m = re.exec(doc)) !== null) {
    var t = strip(m[1]).replace(/\\s+/g, ' ').trim();
    if (t !== '') out.push(t);
  }
  return out;
}`,
  // The words a heading shares with the start of the page's <title>: the title without its decorations.
  headingInTitle: `function headingInTitle(doc) {
  var title = titleText(doc);
  if (!title) return null;
  var tw = title.split(' ');
  var best = null, bestLen = 0;
  for (var level = 1; level <= 3; level++) {
    var hs = headingTexts(doc, level);
    for (var i = 0; i < hs.length; i++) {
      var hw = hs[i].split(' ');
      var k = 0;
      while (k < hw.length && k < tw.length && hw[k].toLowerCase() === tw[k].toLowerCase()) k++;
      if (k > bestLen) { bestLen = k; best = hw.slice(0, k).join(' '); }
    }
  }
  return best ? best.replace(/[\\s:|,-]+$/, '') : null;
}`,
  dropParens: `function dropParens(v) {
  if (typeof v !== 'string') return null;
  var c = v.replace(/\\s*[(\\[][^)\\]]*[)\\]]\\s*$/, '').trim();
  return c !== '' ? c : null;
}`,
};

/**
 * Helpers whose first argument is the document: their results are cached per document (when every argument
 * is a string or number) and shared by all functions.
 */
export const DOCUMENT_HELPERS: readonly string[] = [
  'isHtml', 'textLines', 'joinedText', 'flowText', 'elementTexts', 'innerHtml', 'afterLabel',
  'metaContents', 'titleText', 'headingTexts', 'headingInTitle',
];

/**
 * Function body that returns the library's factory: called with a `memo` wrapper, the factory declares the
 * helpers, routes their calls to each other through the cached document helpers, and returns them by name.
 */
export function libraryFactorySource(): string {
  const names = Object.keys(LIBRARY_HELPERS);
  return [
    'return function library(memo) {',
    ...names.map((name) => LIBRARY_HELPERS[name]),
    ...DOCUMENT_HELPERS.map((name) => `${name} = memo(${name});`),
    `return { ${names.join(', ')} };`,
    '};',
  ].join('\n');
}

let host: Library | undefined;

/**
 * The library on the host, built by the same code as in the isolates: for the built-in synthesizer, which reads
 * the sample with the helpers its candidates call, and for unsandboxed reference runs in benchmarks. This is
 * code of this project compiled from the text above, never model output.
 */
export function hostLibrary(): Library {
  host ??= buildLibrary(new Function(libraryFactorySource())(), () => true);
  return host;
}
