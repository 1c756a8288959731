/**
 * The `$` argument extractors receive: a cheerio query function over the document's HTML, parsed on
 * first use and shared by the functions that run on that document.
 *
 * Every function must see the document as it was parsed, even if an earlier one edited it (model-written
 * code does `$('script').remove()` before reading text). Freezing the tree would forbid that and makes
 * queries over it markedly slower, so instead the parse is snapshotted and {@link Query.pristine} compares
 * the tree with the snapshot; the dispatcher re-parses when an edit is found. The comparison is only
 * trustworthy if reading the tree cannot run user code, so accessors and prototype changes on its objects
 * are refused (see {@link isDomObject}, used by the reflection guards in ./harden.ts). (Freezing the tree
 * instead cost 15-25% on queries, and attribute objects alone about 8%: V8 handles frozen objects slower.)
 */
import { load } from 'cheerio/slim';
import type { CheerioAPI } from 'cheerio/slim';
import { attributesPrototype } from './attributes.ts';
import { asDocument } from './document.ts';
import { guardMethods } from './wrap-methods.ts';

export type QueryFn = ((...args: unknown[]) => unknown) & {
  root: () => unknown;
  html: (...args: unknown[]) => unknown;
  text: (...args: unknown[]) => unknown;
  contains: (...args: unknown[]) => unknown;
};

interface DomNode {
  parent: DomNode | null;
  prev: DomNode | null;
  next: DomNode | null;
  children?: DomNode[];
  attribs?: Record<string, string>;
  data?: unknown;
  name?: string;
  type?: string;
}

/** Fields per node in a snapshot (the node, then what defines the tree), before its attributes. */
const NODE_SLOTS = 7;

/**
 * One snapshot at a time (one document at a time runs in an isolate), in a buffer reused across
 * documents: growing a fresh array per document cost more than the walk itself.
 */
const snap: unknown[] = [];
const stack: DomNode[] = [];

/**
 * Records the tree in depth-first order: per node its fields, then its attributes (count, then key and
 * value pairs). parent/prev/next are not stored: {@link matches} checks that they agree with the
 * children arrays, which pins them down just as well. Returns the snapshot's length.
 */
function snapshot(root: DomNode): number {
  let at = 0;
  stack.length = 0;
  stack.push(root);
  while (stack.length > 0) {
    const n = stack.pop()!;
    const { children, attribs } = n;
    snap[at] = n;
    snap[at + 1] = children;
    snap[at + 2] = children?.length;
    snap[at + 3] = n.data;
    snap[at + 4] = n.name;
    snap[at + 5] = n.type;
    snap[at + 6] = attribs;
    at += NODE_SLOTS;
    if (attribs) {
      const countAt = at++;
      let count = 0;
      for (const key in attribs) {
        snap[at++] = key;
        snap[at++] = attribs[key];
        count++;
      }
      snap[countAt] = count;
    }
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  // Drop what a larger earlier document left behind, so it can be collected.
  snap.length = at;
  return at;
}

/**
 * The same walk, comparing as it goes. A node's identity is checked against the snapshot before anything
 * is read from it, and nodes, their children arrays and attribute objects cannot hold accessors, so no user
 * code runs here. The stack holds each node with the parent and siblings its place in the tree implies.
 */
function matches(root: DomNode, length: number): boolean {
  const expect: (DomNode | null)[] = [root, null, null, null];
  let at = 0;
  while (expect.length > 0) {
    const next = expect.pop()!;
    const prev = expect.pop()!;
    const parent = expect.pop()!;
    const n = expect.pop()!;
    if (at >= length || snap[at] !== n) return false;
    const { children, attribs } = n;
    if (
      n.parent !== parent ||
      n.prev !== prev ||
      n.next !== next ||
      snap[at + 1] !== children ||
      snap[at + 2] !== children?.length ||
      snap[at + 3] !== n.data ||
      snap[at + 4] !== n.name ||
      snap[at + 5] !== n.type ||
      snap[at + 6] !== attribs
    ) {
      return false;
    }
    at += NODE_SLOTS;
    if (attribs) {
      const count = snap[at++] as number;
      let seen = 0;
      for (const key in attribs) {
        if (++seen > count || snap[at] !== key || snap[at + 1] !== attribs[key]) return false;
        at += 2;
      }
      if (seen !== count) return false;
    }
    if (children) {
      const last = children.length - 1;
      for (let i = last; i >= 0; i--) expect.push(children[i]!, n, i > 0 ? children[i - 1]! : null, i < last ? children[i + 1]! : null);
    }
  }
  return at === length;
}

let nodePrototype: object | undefined;
const isPrototypeOf = Object.prototype.isPrototypeOf;

/**
 * Parsed-tree objects that must not get accessors or a new prototype: nodes, attribute objects, and arrays
 * of nodes (children arrays; an empty one is covered by the length check of {@link matches}).
 */
export function isDomObject(o: unknown): boolean {
  if (nodePrototype === undefined || typeof o !== 'object' || o === null) return false;
  if (Reflect.apply(isPrototypeOf, attributesPrototype, [o]) || Reflect.apply(isPrototypeOf, nodePrototype, [o])) return true;
  return Array.isArray(o) && o.length > 0 && Reflect.apply(isPrototypeOf, nodePrototype, [o[0]]);
}

/**
 * Objects of the cheerio library that every loaded document shares, to freeze with the built-ins.
 * Also learns the base prototype of parsed nodes for {@link isDomObject}.
 */
/** Set by the runtime once the isolate is locked down (see {@link guardQueries}). */
let regExpMethodsIntact: () => boolean = () => true;

const TAMPERED_REFUSAL = '$ refuses to run while a RegExp method is replaced: the sandbox\'s own code uses regular expressions';

/**
 * The sandbox's own code (selector parsing, the HTML parser) uses regular expressions. A function that replaced a
 * RegExp method and then called `$` would run its hook on those regexes, and could plant an own `exec` on them
 * that outlives the call and breaks `$` for every later function while the prototype looks untouched again. So `$`
 * and every cheerio method check the methods regex operations call first (a few descriptor reads), and refuse.
 */
export function guardQueries(intact: () => boolean): void {
  regExpMethodsIntact = intact;
}

export function cheerioRoots(): object[] {
  const sample = load('<p class="a">x</p>');
  // Cheerio's methods live on the prototype every loaded document's selections share.
  guardMethods(Object.getPrototypeOf(Object.getPrototypeOf(sample('p'))) as object, () => {
    if (!regExpMethodsIntact()) throw new Error(TAMPERED_REFUSAL);
  });
  let proto = Object.getPrototypeOf(sample('p')[0]) as object;
  while (Object.getPrototypeOf(proto) !== Object.prototype) proto = Object.getPrototypeOf(proto) as object;
  nodePrototype = proto;
  if (Object.getPrototypeOf(sample('p')[0]!.attribs) !== attributesPrototype) {
    throw new Error('sandbox runtime: attribute objects are not marked; the htmlparser2 patch in bundle.ts did not apply');
  }
  return [sample, load, sample('p'), sample.root()];
}

export interface ParseHooks {
  /** Called around parsing so the dispatcher can keep parse time out of the function's time budget. */
  beforeParse: () => void;
  afterParse: () => void;
}

/**
 * Text documents become one text node: `$.root().text()` is the text, and a stray `<` is not a tag.
 * (split/join rather than a regex: runtime code must not depend on RegExp.prototype, which user code can change.)
 */
function textAsHtml(text: string): string {
  return text.split('&').join('&amp;').split('<').join('&lt;');
}

/** The per-document cheerio objects that are not part of the tree: shared by calls, so read-only. */
function freezeApi(api: CheerioAPI): void {
  const proto = api.fn as unknown as Record<string, unknown>;
  for (const o of [api, proto, proto.constructor, api._options, proto._make, proto._parse, proto._render]) {
    if ((typeof o === 'object' || typeof o === 'function') && o !== null) Object.freeze(o);
  }
}

export interface Query {
  $: QueryFn;
  /** Set whenever `$` is used; the dispatcher clears it before each call. */
  touched: boolean;
  /** False when parsing this page was too expensive before: `$` then throws instead of trying again. */
  allowed: boolean;
  /** Whether the document was parsed (by any call so far). */
  readonly parsed: boolean;
  /** False if a call changed the parsed tree. */
  pristine(): boolean;
  /** Forget the parsed tree; the next use of `$` parses again. */
  reset(): void;
}

/** A `$` for one document. */
export function createQuery(view: string, isHtml: boolean, hooks: ParseHooks): Query {
  let loaded: CheerioAPI | undefined;
  let snapLength = 0;
  const query: Query = {
    $: undefined as unknown as QueryFn,
    touched: false,
    allowed: true,
    get parsed() {
      return loaded !== undefined;
    },
    pristine: () => loaded === undefined || matches(loaded._root as unknown as DomNode, snapLength),
    reset: () => {
      loaded = undefined;
    },
  };
  const get = (): CheerioAPI => {
    query.touched = true;
    if (!regExpMethodsIntact()) throw new Error(TAMPERED_REFUSAL);
    if (loaded) return loaded;
    if (!query.allowed) throw new Error('$ is unavailable for this document: parsing it exceeded the time or memory limit');
    hooks.beforeParse();
    try {
      const api = load(isHtml ? asDocument(view) : textAsHtml(view));
      freezeApi(api);
      snapLength = snapshot(api._root as unknown as DomNode);
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
  query.$ = Object.freeze($);
  return query;
}
