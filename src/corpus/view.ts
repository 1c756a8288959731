import { load } from 'cheerio/slim';
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

/** The parts of a parsed node this module reads (htmlparser2's DOM, as cheerio/slim builds it). */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

/**
 * Cleaned HTML: scripts, styles, comments and other noise removed; tags kept with only the attributes that
 * carry meaning; whitespace collapsed; block elements on their own lines. `<title>`, `<meta>` and JSON-LD
 * stay because they often hold exactly the values a table needs.
 */
export function cleanHtml(html: string): string {
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const root = $.root()[0] as unknown as DomNode;
  const rendered = renderChildren(root);
  return tidyLines(rendered);
}

/**
 * Render a node's children, depth first with an explicit stack: broken pages nest unclosed tags thousands deep,
 * which a recursive walk would not survive.
 */
function renderChildren(root: DomNode): string {
  // `filled`: whether anything but whitespace went into `out`, kept as we go, since trimming each element's
  // content would rescan it at every level of a deep page.
  const stack = [{ node: root, next: 0, out: '', filled: false }];
  for (;;) {
    const frame = stack[stack.length - 1] as { node: DomNode; next: number; out: string; filled: boolean };
    const children = frame.node.children ?? [];
    if (frame.next < children.length) {
      const child = children[frame.next++] as DomNode;
      const leaf = renderLeaf(child);
      if (leaf === null) stack.push({ node: child, next: 0, out: '', filled: false });
      else append(frame, leaf);
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined) return frame.out;
    const element = finishElement(frame.node, frame.out, frame.filled);
    // Known from the child, not read off its text: scanning a long rendered subtree would flatten it at every level.
    parent.out += element.text;
    parent.filled ||= element.filled;
  }
}

function append(frame: { out: string; filled: boolean }, part: string): void {
  frame.out += part;
  if (!frame.filled && /\S/.test(part)) frame.filled = true;
}

/** A node rendered on its own, or null for an element whose children must be rendered first. */
function renderLeaf(node: DomNode): string | null {
  switch (node.type) {
    case 'text':
      return escapeText((node.data ?? '').replace(/\s+/g, ' '));
    case 'tag':
    case 'script':
    case 'style':
      break;
    default:
      // comments, directives (<!DOCTYPE>), CDATA and processing instructions carry nothing worth keeping
      return '';
  }
  const name = (node.name ?? '').toLowerCase();
  if (name === 'script') return isJsonLd(node) ? renderJsonLd(node) : '';
  if (dropped.has(name)) return '';
  // Kept as a tag, not only a line break, so that re-parsing the view gives the view back.
  if (name === 'br') return '<br>\n';
  if (!voids.has(name)) return null;
  if (name === 'hr') return '\n';
  const attributes = renderAttributes(node.attribs ?? {});
  if (attributes === '') return '';
  // http-equiv and charset metas say nothing about the document's content
  if (name === 'meta' && !/ (?:name|property|itemprop)="/.test(attributes)) return '';
  const tag = `<${name}${attributes}>`;
  return blocks.has(name) ? `\n${tag}\n` : tag;
}

/** An element around its already rendered content (`filled`: the content is more than whitespace). */
function finishElement(node: DomNode, inner: string, filled: boolean): { text: string; filled: boolean } {
  const name = (node.name ?? '').toLowerCase();
  if (unwrapped.has(name)) return { text: `\n${inner}\n`, filled };
  const block = blocks.has(name);
  const attributes = renderAttributes(node.attribs ?? {});
  // An empty block still separates the words around it; a space does that and survives re-parsing.
  if (!filled && !valueAttributes.test(attributes)) return { text: block ? ' ' : inner, filled: false };
  const element = `<${name}${attributes}>${inner}</${name}>`;
  return { text: block ? `\n${element}\n` : element, filled: true };
}

function isJsonLd(node: DomNode): boolean {
  return (node.attribs?.type ?? '').trim().toLowerCase() === 'application/ld+json';
}

function renderJsonLd(node: DomNode): string {
  const json = (node.children ?? []).map((child) => child.data ?? '').join('').replace(/\s+/g, ' ').trim();
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

function escapeText(text: string): string {
  return text.replace(entityLike, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return value.replace(entityLike, '&amp;').replace(/"/g, '&quot;');
}

function tidyLines(rendered: string): string {
  const out: string[] = [];
  for (const line of rendered.split('\n')) {
    const tidy = line.replace(/ {2,}/g, ' ').trim();
    if (tidy !== '') out.push(tidy);
  }
  return out.join('\n');
}
