/**
 * Layouts: which documents share a template. A document's structural signature is a MinHash of shingles of its
 * skeleton (for HTML, runs of three tags with their classes; for text, the set of its line forms: a leading
 * label such as `director:`, else the line's shape such as `Aa 9`), so the words on a page do not matter, only its
 * form. Documents are grouped by leader clustering in a
 * fixed order: each joins the first layout whose leader it resembles (estimated Jaccard similarity at least
 * {@link SAME_LAYOUT}), or leads a new one. That is deterministic, needs no model, and costs one pass times the
 * number of layouts, which stays small where templates repeat (a site, a report series).
 */
import { hashString } from './random.ts';
import type { CorpusDocument } from './types.ts';

const HASHES = 64;
/** Estimated Jaccard similarity of skeletons at which two documents share a layout. */
export const SAME_LAYOUT = 0.5;

export type LayoutSignature = Uint32Array;

export function layoutSignature(doc: Pick<CorpusDocument, 'format' | 'view'>): LayoutSignature {
  // Tags in runs of three (their order is the template); a text's line forms one at a time (values make runs vary).
  const html = doc.format === 'html';
  const tokens = html ? tagTokens(doc.view) : lineShapes(doc.view);
  const width = html ? 3 : 1;
  const signature = new Uint32Array(HASHES).fill(0xffffffff);
  for (let i = 0; i + width - 1 < Math.max(width, tokens.length); i++) {
    const base = hashString(tokens.slice(i, i + width).join(' '));
    for (let k = 0; k < HASHES; k++) {
      // One hash function per slot: the base hash mixed with the slot's odd multiplier.
      const h = Math.imul(base ^ (k * 0x9e3779b9), 0x85ebca6b | 1) >>> 0;
      if (h < (signature[k] as number)) signature[k] = h;
    }
  }
  return signature;
}

export function similarity(a: LayoutSignature, b: LayoutSignature): number {
  let same = 0;
  for (let k = 0; k < HASHES; k++) if (a[k] === b[k]) same++;
  return same / HASHES;
}

/** Tag names with their classes, in document order: `div.product-info`, `h1`, `li`. */
function tagTokens(view: string): string[] {
  const tokens: string[] = [];
  for (const match of view.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
    const classes = /\bclass="([^"]*)"/.exec(match[2] ?? '')?.[1]?.trim().split(/\s+/).sort().join('.');
    tokens.push(classes ? `${(match[1] as string).toLowerCase()}.${classes}` : (match[1] as string).toLowerCase());
    if (tokens.length >= 4000) break;
  }
  return tokens;
}

/**
 * Each line's form: a short leading label as `label:` (one to three words: `Release date:`), else its first
 * characters' shape (letters a/A, digits 9), so free text reduces to a few shapes that all such texts share.
 */
function lineShapes(view: string): string[] {
  return view
    .split('\n')
    .slice(0, 400)
    .map((line) => {
      const label = /^\s*(\p{L}[\p{L} ]{0,24}):/u.exec(line)?.[1]?.trim();
      if (label && label.split(' ').length <= 3) return `${label.toLowerCase()}:`;
      return line.trim().replace(/\p{Lu}+/gu, 'A').replace(/\p{Ll}+/gu, 'a').replace(/\d+/g, '9').replace(/\s+/g, ' ').slice(0, 2);
    })
    .filter((shape) => shape !== '');
}

export interface Layout {
  /** `L1`, `L2`, ... in order of first appearance. */
  id: string;
  /** The document that leads it. */
  leader: string;
  docs: string[];
}

/** Group documents (in the order given) into layouts by leader clustering. */
export function clusterLayouts(docs: readonly { id: string; signature: LayoutSignature }[], threshold = SAME_LAYOUT): Layout[] {
  const layouts: (Layout & { signature: LayoutSignature })[] = [];
  for (const doc of docs) {
    const home = layouts.find((layout) => similarity(layout.signature, doc.signature) >= threshold);
    if (home) home.docs.push(doc.id);
    else layouts.push({ id: `L${layouts.length + 1}`, leader: doc.id, docs: [doc.id], signature: doc.signature });
  }
  return layouts.map(({ id, leader, docs: members }) => ({ id, leader, docs: members }));
}

/** A signature as text, for program.json. */
export function encodeSignature(signature: LayoutSignature): string {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64');
}

/** A signature read back; null when the text is not one (a hand edit). */
export function decodeSignature(text: string): LayoutSignature | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== HASHES * 4) return null;
  const copy = new Uint8Array(bytes);
  return new Uint32Array(copy.buffer);
}
