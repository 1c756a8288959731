/**
 * Turns whatever an extractor returned into a wire outcome, inside the isolate and inside the
 * function's time budget. It never calls user-defined `toString`, `toJSON` or `valueOf`: only
 * strings, finite numbers and bigints are accepted as values; a getter or Proxy trap that throws is
 * caught by the caller and one that loops is stopped by the time limit, charged to the function.
 */
import type { WireOutcome } from '../protocol.ts';

export interface Caps {
  maxStringLength: number;
  maxArrayItems: number;
}

/** The characters `\s` matches in a JavaScript regular expression. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c > 127 && (c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279))
  );
}

/**
 * V8 represents a slice as a view into its parent, so a 2,000-character slice of a 100 MB string
 * keeps all 100 MB alive. Concatenating then slicing forces a copy of just the part we keep.
 */
function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}

/**
 * Trim, collapse each whitespace run to one space, cap at `maxLength`. A plain character scan, not a
 * regular expression: it must work even if user code has tampered with RegExp.prototype, and it
 * stops as soon as it has enough, so a 100 MB string costs about as much as its first few kilobytes.
 */
export function cleanString(s: string, maxLength: number): string {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let out = '';
  let wordStart = i;
  while (i < n && out.length + (i - wordStart) < maxLength) {
    if (!isSpace(s.charCodeAt(i))) {
      i++;
      continue;
    }
    out += s.slice(wordStart, i);
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i < n) out += ' ';
    wordStart = i;
  }
  out += s.slice(wordStart, i);
  return detach((out.length > maxLength ? out.slice(0, maxLength) : out).trimEnd());
}

function scalarToString(v: unknown): string | null | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return null;
  return undefined;
}

function badOutput(message: string): WireOutcome {
  return { error: 'bad-output', message };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'array' : 'object';
  return typeof v;
}

/**
 * string / number -> one value; array -> its values (empty items skipped); null, undefined, '' or
 * an array with no values -> abstain; anything else (objects, promises, booleans, NaN) -> bad output.
 */
export function normalizeOutput(result: unknown, caps: Caps): WireOutcome {
  if (Array.isArray(result)) {
    const values: string[] = [];
    const length = result.length;
    for (let i = 0; i < length && values.length < caps.maxArrayItems; i++) {
      const item: unknown = result[i];
      const s = scalarToString(item);
      if (s === undefined) return badOutput(`array item ${i} is ${describe(item)}, expected a string`);
      if (s === null) continue;
      const cleaned = cleanString(s, caps.maxStringLength);
      if (cleaned !== '') values.push(cleaned);
    }
    return values.length > 0 ? values : null;
  }
  const s = scalarToString(result);
  if (s === undefined) return badOutput(`returned ${describe(result)}, expected a string, an array of strings or nothing`);
  if (s === null) return null;
  const cleaned = cleanString(s, caps.maxStringLength);
  return cleaned === '' ? null : [cleaned];
}
