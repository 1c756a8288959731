/**
 * The `$` argument extractors receive: a cheerio query function over the document's HTML,
 * parsed on first use and shared by all functions on that document. The parsed tree and the
 * loaded cheerio instance are frozen, so a function that tries to edit the page (`.remove()`,
 * `.text('x')`) fails instead of changing what the next function sees.
 */
import { load } from 'cheerio/slim';
import type { CheerioAPI } from 'cheerio/slim';
import { deepFreeze } from './harden.ts';

export type QueryFn = ((...args: unknown[]) => unknown) & {
  root: () => unknown;
  html: (...args: unknown[]) => unknown;
  text: (...args: unknown[]) => unknown;
  contains: (...args: unknown[]) => unknown;
};

interface DomNode {
  attribs?: object;
  children?: DomNode[];
}

function freezeTree(root: DomNode): void {
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    Object.freeze(node);
    if (node.attribs) Object.freeze(node.attribs);
    if (node.children) {
      Object.freeze(node.children);
      for (const child of node.children) stack.push(child);
    }
  }
}

/** Objects of the cheerio library that every loaded document shares: freeze them with the built-ins. */
export function cheerioRoots(): object[] {
  const sample = load('<p class="a">x</p>');
  return [sample, load, sample('p'), sample.root()];
}

export interface ParseHooks {
  /** Called around parsing so the dispatcher can keep parse time out of the function's time budget. */
  beforeParse: () => void;
  afterParse: () => void;
}

/** Text documents become one text node: `$.root().text()` is the text, and a stray `<` is not a tag. */
function textAsHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/**
 * A `$` for one document. `allowed` false: parsing this document was too expensive before,
 * so `$` throws instead of trying again.
 */
export function createQuery(view: string, isHtml: boolean, allowed: boolean, hooks: ParseHooks): QueryFn {
  let loaded: CheerioAPI | undefined;
  const get = (): CheerioAPI => {
    if (loaded) return loaded;
    if (!allowed) throw new Error('$ is unavailable for this document: parsing it exceeded the time or memory limit');
    hooks.beforeParse();
    try {
      const api = load(isHtml ? view : textAsHtml(view));
      // The tree first, with a walk that knows its shape (fast); then the few per-document cheerio objects.
      freezeTree(api._root as unknown as DomNode);
      deepFreeze([api], { stopAtFrozen: true });
      loaded = api;
    } finally {
      hooks.afterParse();
    }
    return loaded;
  };
  const $ = ((...args: unknown[]) => (get() as unknown as (...a: unknown[]) => unknown)(...args)) as QueryFn;
  const method =
    (name: 'root' | 'html' | 'text' | 'contains') =>
    (...args: unknown[]): unknown => {
      const api = get();
      return Reflect.apply(api[name], api, args);
    };
  $.root = method('root');
  $.html = method('html');
  $.text = method('text');
  $.contains = method('contains');
  return Object.freeze($);
}
