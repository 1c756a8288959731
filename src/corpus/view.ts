import { Parser } from 'htmlparser2';
import { normalizeNewlines } from './decode.ts';
import type { DocumentFormat } from './types.ts';

/**
 * The view is the one string that prompts show and extractor functions receive (DESIGN.md, principle 1).
 * It must be deterministic: same input, same view, on every machine.
 */
export function buildView(content: string, format: DocumentFormat): string {
  if (format === 'html') {
    const tags = countTags(content);
    if (tags > MAX_ELEMENTS) throw new TooComplexError(`${tags} tags, over the ${MAX_ELEMENTS} a view is built from (its parse tree would not fit in memory)`);
  }
  return format === 'html' ? cleanHtml(content) : normalizeText(content);
}

/**
 * The most tags a page may have: a parse tree costs a few hundred bytes per element, so this bounds a document's
 * memory to a few hundred MB. Real pages have hundreds to a few thousand (the largest booksamillion page: 872).
 */
export const MAX_ELEMENTS = 250_000;

/** A document whose view would cost more memory than any real one: recorded as a skip, never built. */
export class TooComplexError extends Error {
  override name = 'TooComplexError';
}

function countTags(html: string): number {
  let count = 0;
  for (let at = html.indexOf('<'); at >= 0 && count <= MAX_ELEMENTS; at = html.indexOf('<', at + 1)) {
    const next = html.charCodeAt(at + 1);
    // A tag starts with a letter (or / for an end tag, which needs no node).
    if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122)) count++;
  }
  return count;
}

/** Text view: LF line ends, runs of spaces and tabs collapsed, lines trimmed, at most one blank line in a row. */
export function normalizeText(text: string): string {
  const lines = normalizeNewlines(text)
    .replace(/[\t\f\v\u00a0 ]+/g, ' ')
    .split('\n')
    .map((line) => line.trim());
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

// Dropped with their content: code, styling and resources carry no values, only noise and risk.
const dropped = new Set(['script', 'style', 'noscript', 'svg', 'link', 'template', 'iframe', 'object', 'embed', 'canvas', 'math', 'input']);
// Wrappers that add nothing once the head/body split is gone.
const unwrapped = new Set(['html', 'head', 'body']);
const kept = new Set(['id', 'class', 'itemprop', 'itemtype', 'name', 'property', 'content', 'href', 'alt', 'title', 'datetime']);
const blocks = new Set([
  'address', 'article', 'aside', 'base', 'blockquote', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr',
  'legend', 'li', 'main', 'menu', 'meta', 'nav', 'ol', 'option', 'p', 'pre', 'section', 'select', 'summary', 'table',
  'tbody', 'tfoot', 'thead', 'title', 'tr', 'ul', 'script',
]);
const voids = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'meta', 'source', 'track', 'wbr']);
// An element left without text is kept only when an attribute itself may hold a value.
const valueAttributes = / (?:content|title|alt|datetime)="/;

/** An element being rendered: its content so far, and whether any of it is more than whitespace. */
interface Frame {
  name: string;
  attribs: Record<string, string>;
  out: string;
  filled: boolean;
}

/**
 * Cleaned HTML: scripts, styles, comments and other noise removed; tags kept with only the attributes that
 * carry meaning; whitespace collapsed; block elements on their own lines. `<title>`, `<meta>` and JSON-LD
 * stay because they often hold exactly the values a table needs.
 *
 * Rendered straight from htmlparser2's parse events, with an explicit stack of open elements (broken pages nest
 * unclosed tags thousands deep): the parser decides where elements end (implied closes included), so this is the
 * tree its DOM builder would make, without building it. `filled` is kept as content arrives, since trimming each
 * element's content would rescan it at every level of a deep page.
 */
export function cleanHtml(html: string): string {
  const root: Frame = { name: '', attribs: {}, out: '', filled: false };
  const stack: Frame[] = [root];
  // Consecutive text events make one text node (entities split them); any other event ends it.
  let text = '';
  // Inside an element dropped with its content: how many elements deep.
  let dropping = 0;
  // Inside a <script>: its text, kept only for JSON-LD.
  let script: { jsonLd: boolean; data: string } | undefined;
  // Void elements rendered when they open; their (implied) close events are skipped.
  let voidOpen = false;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const flush = (): void => {
    if (text === '') return;
    append(top(), escapeText(text.replace(/\s+/g, ' ')));
    text = '';
  };
  const parser = new Parser(
    {
      ontext(data) {
        if (dropping > 0) return;
        if (script) script.data += data;
        else text += data;
      },
      onopentag(name, attribs) {
        flush();
        if (dropping > 0) return void dropping++;
        if (name === 'script') return void (script = { jsonLd: (attribs.type ?? '').trim().toLowerCase() === 'application/ld+json', data: '' });
        if (dropped.has(name)) return void (dropping = 1);
        if (voids.has(name)) {
          voidOpen = true;
          return append(top(), renderVoid(name, attribs));
        }
        stack.push({ name, attribs, out: '', filled: false });
      },
      onclosetag() {
        flush();
        if (dropping > 0) return void dropping--;
        if (script) {
          append(top(), script.jsonLd ? renderJsonLd(script.data) : '');
          return void (script = undefined);
        }
        if (voidOpen) return void (voidOpen = false);
        const frame = stack.pop() as Frame;
        const element = finishElement(frame);
        const parent = top();
        // Known from the child, not read off its text: scanning a long rendered subtree would flatten it at every level.
        parent.out += element.text;
        parent.filled ||= element.filled;
      },
      // Comments, directives (<!DOCTYPE>) and CDATA carry nothing worth keeping, but they end a text node.
      oncomment: flush,
      onprocessinginstruction: flush,
    },
    { xmlMode: false, decodeEntities: true },
  );
  parser.end(html);
  flush();
  return tidyLines(root.out);
}

function append(frame: { out: string; filled: boolean }, part: string): void {
  frame.out += part;
  if (!frame.filled && /\S/.test(part)) frame.filled = true;
}

/** A void element (no content): a line break, a rule, or the tag when an attribute of it may hold a value. */
function renderVoid(name: string, attribs: Record<string, string>): string {
  // Kept as a tag, not only a line break, so that re-parsing the view gives the view back.
  if (name === 'br') return '<br>\n';
  if (name === 'hr') return '\n';
  const attributes = renderAttributes(attribs);
  if (attributes === '') return '';
  // http-equiv and charset metas say nothing about the document's content
  if (name === 'meta' && !/ (?:name|property|itemprop)="/.test(attributes)) return '';
  const tag = `<${name}${attributes}>`;
  return blocks.has(name) ? `\n${tag}\n` : tag;
}

/** An element around its already rendered content. */
function finishElement({ name, attribs, out: inner, filled }: Frame): { text: string; filled: boolean } {
  if (unwrapped.has(name)) return { text: `\n${inner}\n`, filled };
  const block = blocks.has(name);
  const attributes = renderAttributes(attribs);
  // An empty block still separates the words around it; a space does that and survives re-parsing.
  if (!filled && !valueAttributes.test(attributes)) return { text: block ? ' ' : inner, filled: false };
  const element = `<${name}${attributes}>${inner}</${name}>`;
  return { text: block ? `\n${element}\n` : element, filled: true };
}

function renderJsonLd(data: string): string {
  const json = data.replace(/\s+/g, ' ').trim();
  return json === '' ? '' : `\n<script type="application/ld+json">${json}</script>\n`;
}

function renderAttributes(attribs: Record<string, string>): string {
  let out = '';
  // Sorted so the view does not depend on attribute order in the source.
  for (const name of Object.keys(attribs).sort()) {
    const lower = name.toLowerCase();
    if (!kept.has(lower)) continue;
    let value = (attribs[name] ?? '').replace(/\s+/g, ' ').trim();
    if (lower === 'href' && /^(?:javascript|data):/i.test(value)) continue;
    if (value === '' && lower !== 'content') continue;
    value = escapeAttribute(value);
    out += ` ${lower}="${value}"`;
  }
  return out;
}

// `&` is escaped only where it would otherwise read as an entity, so the view shows "Tom & Jerry" as such
// while re-parsing the view still gives back the same text.
const entityLike = /&(?=#?[a-z0-9]+;)/gi;

const needsEscape = /[&<>]/;

function escapeText(text: string): string {
  if (!needsEscape.test(text)) return text;
  return text.replace(entityLike, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return value.replace(entityLike, '&amp;').replace(/"/g, '&quot;');
}

function tidyLines(rendered: string): string {
  const out: string[] = [];
  // One pass for the whole text: runs of spaces never cross a line end.
  for (const line of rendered.replace(/ {2,}/g, ' ').split('\n')) {
    const tidy = line.trim();
    if (tidy !== '') out.push(tidy);
  }
  return out.join('\n');
}
