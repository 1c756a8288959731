/**
 * Hostile extractors. Each runs next to well-behaved "witness" functions over the same documents;
 * every test proves three things: the hostile function is contained (a recorded outcome, never a
 * host crash or hang), the run goes on to the last document, and the witnesses' outputs are exactly
 * what they are without the hostile function.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/index.ts';
import type { DocumentOutcomes, ExtractorSource, Outcome, SandboxCounters, SandboxDocument, SandboxOptions } from '../src/sandbox/index.ts';

const docs: SandboxDocument[] = Array.from({ length: 6 }, (_, i) => ({
  id: `page-${i}`,
  view: `<title>Book ${i}</title><h2>Title ${i}</h2><ul><li><strong>Publisher</strong>: House ${i}</li><li>ISBN 97800000000${i}</li></ul>`,
  format: 'html' as const,
}));

/** Witnesses lean on what hostile code might try to break: built-in prototypes, RegExp, JSON, globals, the shared DOM. */
const WITNESSES: ExtractorSource[] = [
  { id: 'w-regex', source: `function extract(doc) { const m = /ISBN (\\d+)/.exec(doc); return m && m[1].trim() }` },
  { id: 'w-string', source: `function extract(doc) { return doc.split('<h2>')[1].split('<')[0].toUpperCase().trim() }` },
  { id: 'w-array', source: `function extract(doc) { return [3, 1, 2].map(x => x * 2).filter(Boolean).sort().join(',') }` },
  { id: 'w-json', source: `function extract(doc) { return JSON.stringify(JSON.parse('{"a":[1,"x"]}')) + String(({}).polluted) }` },
  { id: 'w-globals', source: `function extract(doc) { return [typeof leak, typeof Object.prototype.polluted, String(Math.max(1, 2)), typeof String.prototype.trim].join(' ') }` },
  { id: 'w-query', source: `function extract(doc, $) { return [$('title').text(), $('h2').text(), $('li').length, $('strong').parent().text()].join('|') }` },
  { id: 'w-replace', source: `function extract(doc) { return doc.replace(/<[^>]+>/g, ' ').match(/Publisher\\s*:\\s*(House \\d)/)[1] }` },
];

const OPTIONS: SandboxOptions = { isolates: 1, timeoutMs: 100, memoryLimitMb: 64, maxFailures: 2, now: 0 };

async function run(functions: ExtractorSource[], options: SandboxOptions = OPTIONS): Promise<{ rows: DocumentOutcomes[]; counters: SandboxCounters }> {
  const sandbox = await createSandbox(functions, options);
  try {
    const rows: DocumentOutcomes[] = [];
    for await (const r of sandbox.run(docs)) rows.push(r);
    return { rows, counters: sandbox.counters() };
  } finally {
    await sandbox.close();
  }
}

const witnessView = (rows: DocumentOutcomes[]) => rows.map((r) => Object.fromEntries(WITNESSES.map((w) => [w.id, r.outcomes[w.id]])));

let baseline: ReturnType<typeof witnessView>;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'sandbox-security-'));
const canary = path.join(scratch, 'escaped.txt');

beforeAll(async () => {
  baseline = witnessView((await run(WITNESSES)).rows);
  // The witnesses themselves work, so "unchanged" is a meaningful check.
  expect(baseline[2]).toMatchObject({ 'w-regex': { kind: 'value', value: ['978000000002'] }, 'w-replace': { kind: 'value', value: ['House 2'] } });
  expect(baseline[0]!['w-globals']).toEqual({ kind: 'value', value: ['undefined undefined 2 function'] });
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

type Expectation = (outcomes: Outcome[], counters: SandboxCounters) => void;

const kinds = (outcomes: Outcome[]) => outcomes.map((o) => (o.kind === 'error' ? o.error : o.kind));
/** Every outcome is one of the given kinds (disabled allowed after repeated failures). */
const only =
  (...allowed: string[]): Expectation =>
  (outcomes) =>
    expect(kinds(outcomes).every((k) => allowed.includes(k)), JSON.stringify(outcomes)).toBe(true);

const ES_GLOBALS = new Set(
  'Object Function Array Number parseFloat parseInt Infinity NaN undefined Boolean String Symbol Date Promise RegExp Error AggregateError EvalError RangeError ReferenceError SyntaxError TypeError URIError globalThis JSON Math Intl ArrayBuffer Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array BigUint64Array BigInt64Array Uint8ClampedArray Float16Array Float32Array Float64Array DataView Map BigInt Set Iterator WeakMap WeakSet Proxy Reflect decodeURI decodeURIComponent encodeURI encodeURIComponent escape unescape eval isFinite isNaN console SuppressedError DisposableStack AsyncDisposableStack'.split(
    ' ',
  ),
);

/** `timeoutMs`: for a case that must meet another limit first, however loaded the machine. */
const HOSTILE: { name: string; source: string; expect: Expectation; timeoutMs?: number }[] = [
  {
    name: 'reaches for process, require, module, Buffer and timers',
    source: `function extract() { return [typeof process, typeof require, typeof module, typeof exports, typeof Buffer, typeof setTimeout, typeof fetch, typeof __dirname].join(' ') }`,
    expect: (o) => expect(o[0]).toEqual({ kind: 'value', value: [Array(8).fill('undefined').join(' ')] }),
  },
  {
    name: 'calls process.exit and require("child_process")',
    source: `function extract() { try { require('child_process').execSync('touch ${canary}') } catch (e) {} process.exit(1) }`,
    expect: only('threw'),
  },
  {
    name: 'dynamic import() of node:fs',
    source: `function extract() { return import('node:fs').then(fs => fs.writeFileSync('${canary}', 'x')) }`,
    expect: (o) => {
      only('bad-output', 'threw')(o, {} as SandboxCounters);
      expect(existsSync(canary)).toBe(false);
    },
  },
  {
    name: "constructor.constructor('return this')() finds only ECMAScript globals",
    source: `function extract(doc, $) {
      const g = (function () {}).constructor('return this')();
      const viaQuery = $.constructor.constructor('return this')();
      if (g !== viaQuery) return 'different globals';
      return Reflect.ownKeys(g).map(String).concat(Reflect.ownKeys(Object.getPrototypeOf(g)).map(String));
    }`,
    expect: (o) => {
      for (const out of o) {
        expect(out.kind).toBe('value');
        const names = out.kind === 'value' ? out.value : [];
        const unknown = names.filter((n) => !ES_GLOBALS.has(n) && !(n in Object.prototype) && n !== '__proto__');
        expect(unknown).toEqual([]);
      }
    },
  },
  {
    name: 'replaces globals and global functions (JSON, String, Math.max)',
    source: `function extract() {
      globalThis.JSON = { stringify: () => 'hacked', parse: () => ({}) };
      String = function () { return 'hacked' };
      try { Math.max = () => -1 } catch (e) {}
      try { Object.defineProperty(globalThis, 'Math', { value: {} }) } catch (e) {}
      return 'done';
    }`,
    expect: only('value', 'threw'),
  },
  {
    name: 'pollutes Object.prototype, String.prototype and Array.prototype',
    source: `function extract() {
      Object.prototype.polluted = 'yes';
      String.prototype.trim = function () { return 'pwned' };
      Array.prototype.map = function () { return ['pwned'] };
      try { Object.setPrototypeOf(Array.prototype, null) } catch (e) {}
      try { delete Array.prototype.filter } catch (e) {}
      return [1].map(x => x).join('');
    }`,
    expect: (o) => expect(o[0]).toEqual({ kind: 'value', value: ['1'] }),
  },
  {
    name: 'tampers with RegExp.prototype (left unfrozen for speed, checked instead)',
    source: `function extract() { RegExp.prototype.exec = function () { return ['pwned', 'pwned'] }; return 'x' }`,
    expect: (o, c) => {
      expect(o[0]).toMatchObject({ kind: 'error', error: 'tampered' });
      only('tampered', 'disabled')(o, c);
      expect(c.isolateRestarts).toBeGreaterThan(0);
    },
  },
  {
    name: 'walks a huge array-like in native code, where the time limit cannot reach (indexOf, includes, lastIndexOf)',
    source: `function extract() { const big = { length: 2 ** 53 - 1 }; const tries = [() => Array.prototype.indexOf.call(big, 'x'), () => Array.prototype.includes.call(big, 'x'), () => Array.prototype.lastIndexOf.call(big, 'x'), () => { const a = []; a.length = 2 ** 32 - 1; return a.indexOf('x') }]; return tries.map((t) => { try { return String(t()) } catch (e) { return e.name } }).join(' ') }`,
    expect: (o) => expect(o.every((x) => JSON.stringify(x) === JSON.stringify({ kind: 'value', value: ['RangeError RangeError RangeError RangeError'] })), JSON.stringify(o)).toBe(true),
  },
  {
    name: 'keeps state on the global object\'s prototype (a counter, a throwing getter for the next function)',
    source: `function extract() { const p = Object.getPrototypeOf(globalThis); Object.defineProperty(p, 'counter', { value: (globalThis.counter || 0) + 1, configurable: true, writable: true }); Object.defineProperty(p, 'leak', { get() { throw new Error('gotcha') }, configurable: true }); try { Object.defineProperty(p, 'stuck', { value: 1, configurable: false }) } catch {} try { Object.setPrototypeOf(p, null) } catch {} return String(globalThis.counter) + typeof globalThis.stuck }`,
    expect: (o) => expect(o.every((x) => JSON.stringify(x) === JSON.stringify({ kind: 'value', value: ['1undefined'] })), JSON.stringify(o)).toBe(true),
  },
  {
    name: 'reads the real clock through Intl (format and formatToParts with no date)',
    source: `function extract() { const f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3, year: 'numeric' }); return [f.format(), f.formatToParts().map((p) => p.value).join(''), f.format(new Date())].join(' | ') }`,
    expect: (o) => {
      const at = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', minute: 'numeric', second: 'numeric', fractionalSecondDigits: 3, year: 'numeric' }).format(0);
      expect(o.every((x) => JSON.stringify(x) === JSON.stringify({ kind: 'value', value: [[at, at, at].join(' | ')] })), JSON.stringify(o)).toBe(true);
    },
  },
  {
    name: 'hooks RegExp.prototype.exec to lie once to the next regex user, then removes the hook',
    source: `function extract() { const original = RegExp.prototype.exec; RegExp.prototype.exec = function (text) { RegExp.prototype.exec = original; const found = original.call(this, text); if (found) { found[0] = 'pwned'; found[1] = 'pwned'; } return found; }; return 'x' }`,
    expect: (o, c) => {
      expect(o[0]).toMatchObject({ kind: 'error', error: 'tampered' });
      only('tampered', 'disabled')(o, c);
    },
  },
  {
    name: 'leaks implicit globals to the next function',
    source: `function extract() { leak = 'x'; globalThis.leak2 = 'y'; return typeof leak + typeof leak2 }`,
    expect: (o) => expect(o.every((x) => JSON.stringify(x) === JSON.stringify({ kind: 'value', value: ['stringstring'] }))).toBe(true),
  },
  {
    name: 'edits the shared parsed page, and plants accessors on its nodes',
    source: `function extract(doc, $) {
      // Edits are allowed (on what this function sees); the functions after it must still see the original page.
      $('title').remove(); $('h2').text('pwned'); $('li').first().remove();
      $('ul')[0].children.length = 0;
      try { $('strong')[0].attribs.x = 'pwned' } catch (e) {}
      // Code planted in the tree would run, or lie, when other functions read it: refused.
      const h2 = $('h2')[0];
      const attempts = [
        () => Object.defineProperty(h2, 'children', { get() { return [] } }),
        () => Object.defineProperties(h2, { next: { get() { return null } } }),
        () => Reflect.defineProperty(h2.children, 0, { get() { for (;;) {} } }),
        () => Object.setPrototypeOf(h2, { get children() { return [] } }),
        () => { h2.__proto__ = {} },
        () => h2.__defineGetter__('name', () => 'pwned'),
      ];
      let refused = 0;
      for (const a of attempts) { try { a() } catch (e) { if (e instanceof TypeError) refused++ } }
      return [String(refused), $('title').length, $('h2').text()].join('|');
    }`,
    expect: (o) => expect(o.map((x) => (x.kind === 'value' ? x.value[0] : x))).toEqual(docs.map(() => '6|0|pwned')),
  },
  {
    name: 'plants a Proxy whose traps loop inside the parsed page',
    source: `function extract(doc, $) {
      const trap = new Proxy({}, { get() { for (;;) {} }, getPrototypeOf() { for (;;) {} }, has() { for (;;) {} } });
      const ul = $('ul')[0], title = $('title')[0];
      ul.children[0] = trap;
      title.children.push(trap);
      return 'planted';
    }`,
    expect: (o) => expect(o.every((x) => JSON.stringify(x) === JSON.stringify({ kind: 'value', value: ['planted'] }))).toBe(true),
  },
  {
    name: 'infinite loop',
    source: `function extract() { while (true) {} }`,
    expect: (o, c) => {
      expect(kinds(o).slice(0, 2)).toEqual(['timeout', 'timeout']);
      only('timeout', 'disabled')(o, c);
      expect(c.disabled).toEqual(['hostile']);
    },
  },
  {
    name: 'catastrophic backtracking regular expression',
    source: `function extract(doc) { return /^(a+)+$/.test('a'.repeat(40) + '!') ? 'match' : 'no' }`,
    expect: only('timeout', 'disabled'),
  },
  {
    name: 'deep recursion',
    source: `function extract() { function f(n) { return f(n + 1) + 1 } return f(0) }`,
    expect: (o) => expect(o.every((x) => x.kind === 'error' && x.error === 'threw' && /RangeError/.test(x.message ?? ''))).toBe(true),
  },
  {
    name: 'allocates until out of memory',
    source: `function extract() { const hog = []; for (;;) hog.push(new Array(1 << 22).fill(1.5)) }`,
    // 100 ms was not always enough to fill 64 MB on a busy CI machine; the memory limit is what this case is about.
    timeoutMs: 5_000,
    expect: (o, c) => {
      expect(o[0]).toMatchObject({ kind: 'error', error: 'memory' });
      only('memory', 'disabled')(o, c);
      expect(c.isolateRestarts).toBeGreaterThan(0);
    },
  },
  {
    name: 'returns a huge string',
    source: `function extract() { return 'x'.repeat(50 * 1024 * 1024) }`,
    expect: (o) => {
      for (const x of o) {
        if (x.kind === 'value') expect(x.value[0]!.length).toBe(2000);
        // Building 50 MB may also run into the memory or (on a busy machine) the time limit.
        else expect(['memory', 'timeout', 'disabled']).toContain(x.kind === 'error' ? x.error : x.kind);
      }
    },
  },
  {
    name: 'allocates ArrayBuffers past the memory limit',
    source: `function extract() { const hog = []; for (;;) hog.push(new Float64Array(1 << 21)) }`,
    // On a loaded machine the clock can run out before the heap does; either way the function is stopped.
    expect: only('threw', 'memory', 'timeout', 'disabled'),
  },
  {
    name: 'returns a huge array',
    source: `function extract() { return new Array(5000000).fill('item') }`,
    expect: (o) => expect(o.every((x) => x.kind === 'value' && x.value.length === 50)).toBe(true),
  },
  {
    name: 'returns objects whose toString, valueOf or toJSON loop or throw',
    source: `function extract(doc) {
      const n = Number(doc.match(/Book (\\d)/)[1]);
      if (n % 3 === 0) return { toString() { for (;;) {} } };
      if (n % 3 === 1) return { toJSON() { throw new Error('boom') }, valueOf() { throw new Error('boom') } };
      return [{ toString() { return 'sneaky' } }];
    }`,
    expect: only('bad-output'),
  },
  {
    name: 'returns an array whose getters loop or throw',
    source: `function extract(doc) {
      const a = ['ok'];
      if (doc.includes('Book 0')) Object.defineProperty(a, 0, { get() { for (;;) {} } });
      else Object.defineProperty(a, 0, { get() { throw new Error('getter') } });
      return a;
    }`,
    expect: only('threw', 'timeout', 'disabled'),
  },
  {
    name: 'returns Proxies that trap everything',
    source: `function extract(doc) {
      if (doc.includes('Book 1')) return new Proxy([], { get() { throw new Error('trap') } });
      return new Proxy({}, { getPrototypeOf() { for (;;) {} }, get() { for (;;) {} }, ownKeys() { for (;;) {} } });
    }`,
    expect: only('threw', 'bad-output', 'timeout', 'disabled'),
  },
  {
    name: 'throws objects whose message getter loops or throws',
    source: `function extract(doc) {
      if (doc.includes('Book 2')) throw { get message() { for (;;) {} } };
      const e = new Error('x');
      Object.defineProperty(e, 'message', { get() { throw new Error('again') } });
      throw e;
    }`,
    expect: only('threw'),
  },
  {
    name: 'returns a promise that never resolves, and an async extract',
    source: `async function extract() { await new Promise(() => {}); return 'never' }`,
    expect: only('bad-output'),
  },
  {
    name: 'floods the microtask queue after returning',
    source: `function extract() { const loop = () => Promise.resolve().then(loop); loop(); return 'looks fine' }`,
    expect: only('timeout', 'disabled'),
  },
  {
    name: 'Atomics.wait and SharedArrayBuffer',
    source: `function extract() {
      const g = Function('return this')();
      if (g.Atomics || g.SharedArrayBuffer) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      return Atomics.wait(new Int32Array(4), 0, 0);
    }`,
    expect: only('threw'),
  },
  {
    name: 'WebAssembly busy loop',
    source: `function extract() {
      const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,4,1,96,0,0,3,2,1,0,7,8,1,4,108,111,111,112,0,0,10,9,1,7,0,3,64,12,0,11,11]);
      return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.loop();
    }`,
    expect: only('threw'),
  },
  {
    name: 'overrides Function.prototype.call/apply and Error.prepareStackTrace',
    source: `function extract() {
      try { Function.prototype.call = () => 'pwned' } catch (e) {}
      try { Function.prototype.apply = () => 'pwned' } catch (e) {}
      try { Error.prepareStackTrace = () => 'pwned' } catch (e) {}
      try { Error.stackTraceLimit = 0 } catch (e) {}
      return typeof Function.prototype.call.call;
    }`,
    expect: only('value'),
  },
  {
    name: 'climbs the call stack with .caller and reads the runtime',
    source: `function extract(doc, $) {
      const c = extract.caller;
      const viaArgs = arguments.callee.caller;
      const proto = Object.getPrototypeOf($('h2'));
      return [String(c), String(viaArgs), String(Object.isFrozen(proto)), String(Object.isFrozen($))].join(' ');
    }`,
    expect: (o) => expect(o[0]).toEqual({ kind: 'value', value: ['null null true true'] }),
  },
];

describe('hostile extractors are contained and do not change other functions', () => {
  it('has at least 20 hostile cases', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
  });

  it.each(HOSTILE)('$name', async ({ source, expect: check, timeoutMs }) => {
    const hostile: ExtractorSource = { id: 'hostile', source };
    // Run the hostile function between the witnesses, so functions before and after it are both checked.
    const { rows, counters } = await run([...WITNESSES.slice(0, 3), hostile, ...WITNESSES.slice(3)], { ...OPTIONS, ...(timeoutMs ? { timeoutMs } : {}) });
    expect(rows.map((r) => r.docId)).toEqual(docs.map((d) => d.id));
    expect(witnessView(rows)).toEqual(baseline);
    check(
      rows.map((r) => r.outcomes.hostile!),
      counters,
    );
  });

  it('contains all hostile functions at once, in a pool', { timeout: 180_000 }, async () => {
    const hostile = HOSTILE.map((h, i) => ({ id: `hostile-${i}`, source: h.source }));
    const { rows, counters } = await run([...hostile.slice(0, 12), ...WITNESSES, ...hostile.slice(12)], { ...OPTIONS, isolates: 2 });
    expect(rows.map((r) => r.docId)).toEqual(docs.map((d) => d.id));
    expect(witnessView(rows)).toEqual(baseline);
    expect(counters.documents).toBe(docs.length);
    expect(existsSync(canary)).toBe(false);
    console.info('all hostile functions at once:', JSON.stringify(counters));
  });

  it('does not let a brief RegExp hook plant its own exec on the regular expressions of $', async () => {
    // While hooked, every regex the sandbox's own code uses (selector parsing, say) gets an own exec that finds
    // nothing; the hook is gone before the call ends, so only what it planted would remain.
    const planter = `function extract(doc, $) {
      var exec = RegExp.prototype.exec;
      RegExp.prototype.exec = function (s) {
        if (!Object.prototype.hasOwnProperty.call(this, 'exec')) Object.defineProperty(this, 'exec', { value: function () { return null; }, configurable: true, writable: true });
        return exec.call(this, s);
      };
      try { $('head title').text(); $('li:first-child').text(); $('[class~=x] > strong').text(); } catch (e) {} finally { RegExp.prototype.exec = exec; }
      return 'planted';
    }`;
    const victim = { id: 'victim', source: "function extract(doc, $) { return [$('head title').text(), $('li:first-child').text(), $('[class~=x] > strong').length].join('|') }" };
    const honest = (await run([victim])).rows.map((row) => row.outcomes.victim);
    const { rows } = await run([{ id: 'planter', source: planter }, victim, ...WITNESSES]);
    expect(rows.map((row) => row.outcomes.victim)).toEqual(honest);
    expect(witnessView(rows)).toEqual(baseline);
  });

  it('gives a function between one that edits the page and one that puts it back the page as parsed', async () => {
    // The editor keeps the real title in an attribute so the restorer can put the page back exactly as it was.
    const editor = `function extract(doc, $) {
      var title = $('title')[0];
      title.attribs['data-kept'] = title.children[0].data;
      title.children[0].data = 'EDITED';
      return 'edited';
    }`;
    const restorer = `function extract(doc, $) {
      var title = $('title')[0];
      if (title.attribs['data-kept'] !== undefined) { title.children[0].data = title.attribs['data-kept']; delete title.attribs['data-kept']; }
      return 'restored';
    }`;
    const victim = { id: 'victim', source: "function extract(doc, $) { return $('title').text() }" };
    const honest = (await run([victim])).rows.map((row) => row.outcomes.victim);
    const { rows } = await run([{ id: 'editor', source: editor }, victim, { id: 'restorer', source: restorer }, ...WITNESSES]);
    expect(rows.map((row) => row.outcomes.victim)).toEqual(honest);
    expect(JSON.stringify(honest)).not.toContain('EDITED');
    expect(witnessView(rows)).toEqual(baseline);
  });
});
