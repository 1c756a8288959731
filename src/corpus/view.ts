import { load } from 'cheerio/slim';
import { normalizeNewlines } from './decode.ts';
import type { DocumentFormat } from './types.ts';

/**
 * The view is the one string that prompts show and extractor functions receive (DESIGN.md, principle 1).
 * It must be deterministic: same input, same view, on every machine.
 */
export function buildView(content: string, format: DocumentFormat): string {
  return format === 'html' ? cleanHtml(content) : normalizeText(content);
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

function renderChildren(node: DomNode): string {
  let out = '';
  for (const child of node.children ?? []) out += renderNode(child);
  return out;
}

function renderNode(node: DomNode): string {
  switch (node.type) {
    case 'text':
      return escapeText((node.data ?? '').replace(/\s+/g, ' '));
    case 'tag':
    case 'script':
    case 'style':
      return renderElement(node);
    default:
      // comments, directives (<!DOCTYPE>), CDATA and processing instructions carry nothing worth keeping
      return '';
  }
}

function renderElement(node: DomNode): string {
  const name = (node.name ?? '').toLowerCase();
  if (name === 'script') return isJsonLd(node) ? renderJsonLd(node) : '';
  if (dropped.has(name)) return '';
  // Kept as a tag, not only a line break, so that re-parsing the view gives the view back.
  if (name === 'br') return '<br>\n';
  const block = blocks.has(name);
  if (unwrapped.has(name)) return `\n${renderChildren(node)}\n`;
  const attributes = renderAttributes(node.attribs ?? {});
  if (voids.has(name)) {
    if (name === 'hr') return '\n';
    if (attributes === '') return '';
    // http-equiv and charset metas say nothing about the document's content
    if (name === 'meta' && !/ (?:name|property|itemprop)="/.test(attributes)) return '';
    const tag = `<${name}${attributes}>`;
    return block ? `\n${tag}\n` : tag;
  }
  const inner = renderChildren(node);
  // An empty block still separates the words around it; a space does that and survives re-parsing.
  if (inner.trim() === '' && !valueAttributes.test(attributes)) return block ? ' ' : inner;
  const element = `<${name}${attributes}>${inner}</${name}>`;
  return block ? `\n${element}\n` : element;
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
