/**
 * Runs inside the isolate, once, before any extractor is compiled: makes the shared built-ins
 * immutable so one function cannot change what another computes, and makes calls deterministic.
 *
 * RegExp and RegExp.prototype are the exception: V8 only takes its fast regular-expression paths
 * while those two objects keep their original shape, and freezing them makes regex-heavy
 * extractors about 5x slower. They stay unfrozen and are instead compared against a snapshot
 * after every document ({@link regExpIntegrityCheck}); a change is reported as tampering.
 */

import { capArrayLengths } from './array-limits.ts';
import { installDeterminism } from './determinism.ts';

/** Globals no extractor needs that widen the attack surface (shared memory, blocking waits, wasm, GC callbacks). */
const REMOVED_GLOBALS = ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry'];

/** Built-ins that are not reachable as global properties but are shared by every function. */
function hiddenIntrinsics(): object[] {
  const protoOf = (x: object): object => Object.getPrototypeOf(x) as object;
  const throwTypeError = (function (this: unknown) {
    'use strict';
    // eslint-disable-next-line prefer-rest-params
    return Object.getOwnPropertyDescriptor(arguments, 'callee')?.get;
  })();
  const list: (object | undefined)[] = [
    protoOf(function* () {}),
    protoOf(async function () {}),
    protoOf(async function* () {}),
    protoOf([][Symbol.iterator]()),
    protoOf(''[Symbol.iterator]()),
    protoOf(new Map().entries()),
    protoOf(new Set().values()),
    protoOf(/a/[Symbol.matchAll]('')),
    protoOf(Int8Array),
    protoOf([].values().map((x) => x)),
    protoOf(Iterator.from({ next: () => ({ done: true, value: undefined }) })),
    throwTypeError,
  ];
  return list.filter((x): x is object => x !== undefined);
}

/**
 * Data properties on frozen prototypes that ordinary code assigns on its own objects
 * (`this.name = ...` in an Error subclass, `obj.toString = ...`). Frozen, such assignments would
 * fail ("override mistake"); as accessors they define an own property on the receiver instead.
 */
const OVERRIDABLE: [() => object, string][] = [
  [() => Object.prototype, 'toString'],
  [() => Object.prototype, 'constructor'],
  [() => Object.prototype, 'valueOf'],
  [() => Error.prototype, 'name'],
  [() => Error.prototype, 'message'],
];

function makeOverridable(target: object, key: string): void {
  const desc = Object.getOwnPropertyDescriptor(target, key);
  if (!desc || !('value' in desc)) return;
  const value: unknown = desc.value;
  Object.defineProperty(target, key, {
    configurable: false,
    enumerable: desc.enumerable ?? false,
    get() {
      return value;
    },
    set(this: object, next: unknown) {
      if (this === target) throw new TypeError(`Cannot assign to read only property '${key}' of a shared built-in`);
      Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
    },
  });
}

interface FreezeOptions {
  /** Traversed but left unfrozen. */
  walkOnly?: readonly object[];
  /** Neither traversed nor frozen. */
  skip?: readonly object[];
}

/** Deep-freezes everything reachable from `roots` (own properties, accessors, prototypes). */
function deepFreeze(roots: readonly unknown[], options: FreezeOptions = {}): void {
  const seen = new WeakSet<object>(options.skip ?? []);
  const unfrozen = new WeakSet<object>(options.walkOnly ?? []);
  const stack: unknown[] = [...roots];
  while (stack.length > 0) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
    seen.add(o);
    if (!unfrozen.has(o)) Object.freeze(o);
    stack.push(Object.getPrototypeOf(o));
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d) stack.push(d.value, d.get, d.set);
    }
  }
}

/**
 * Implicit globals (`x = 1` without a declaration, `globalThis.x = 1`) land in a scratch object that is
 * replaced before every call, instead of on the shared global object. A proxy placed in the global
 * object's prototype chain receives them: sloppy-mode code that forgets `let` still works, and
 * nothing it leaves behind reaches the next function.
 */
function installGlobalScratch(): { proxy: object; target: object; reset: () => void } {
  const objectProto = Object.prototype;
  let scratch: Record<PropertyKey, unknown> = Object.create(null) as Record<PropertyKey, unknown>;
  let dirty = false;
  const hasOwn = Object.hasOwn;
  const target = Object.create(objectProto) as object;
  const proxy = new Proxy(target, {
    has: (_t, key) => hasOwn(scratch, key) || key in objectProto,
    get: (_t, key, receiver) => (hasOwn(scratch, key) ? scratch[key] : Reflect.get(objectProto, key, receiver)),
    set: (_t, key, value) => {
      dirty = true;
      scratch[key] = value;
      return true;
    },
    deleteProperty: (_t, key) => delete scratch[key],
    // Defining (a getter, say) through the prototype lands in the scratch object too, so it is gone by the next
    // call. What a proxy cannot report without its target agreeing (non-configurable properties, a new
    // prototype, non-extensibility) is refused, since it would have to persist on the shared target.
    defineProperty: (_t, key, descriptor) => {
      if (descriptor.configurable === false) return false;
      dirty = true;
      return Reflect.defineProperty(scratch, key, descriptor);
    },
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(scratch, key),
    ownKeys: () => Reflect.ownKeys(scratch),
    setPrototypeOf: () => false,
    preventExtensions: () => false,
  });
  Object.setPrototypeOf(globalThis, proxy);
  return {
    proxy,
    target,
    reset: () => {
      if (!dirty) return;
      scratch = Object.create(null) as Record<PropertyKey, unknown>;
      dirty = false;
    },
  };
}

/**
 * The methods every regular-expression operation goes through (`exec` and the Symbol methods string functions
 * call): compared by descriptor after every function call, cheaply, so a hook that would lie to the next
 * function is caught before that function runs. The full comparison ({@link regExpIntegrityCheck}) runs per document.
 */
function regExpMethodsCheck(): () => boolean {
  const getDesc = Reflect.getOwnPropertyDescriptor;
  const proto = RegExp.prototype;
  const keys: PropertyKey[] = ['exec', 'test', Symbol.match, Symbol.matchAll, Symbol.replace, Symbol.search, Symbol.split];
  const saved = keys.map((key) => getDesc(proto, key)?.value as unknown);
  const species = getDesc(RegExp, Symbol.species)?.get;
  return () => {
    for (let i = 0; i < keys.length; i++) if (getDesc(proto, keys[i] as PropertyKey)?.value !== saved[i]) return false;
    return getDesc(RegExp, Symbol.species)?.get === species;
  };
}

/** Snapshot of RegExp and RegExp.prototype; the returned check says whether they are unchanged. */
function regExpIntegrityCheck(): () => boolean {
  const getDesc = Reflect.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys;
  const getProto = Object.getPrototypeOf;
  const isExtensible = Object.isExtensible;
  const snapshot = [RegExp, RegExp.prototype].map((obj) => ({
    obj,
    proto: getProto(obj) as unknown,
    keyCount: ownKeys(obj).length,
    props: ownKeys(obj).map((key) => ({ key, desc: getDesc(obj, key)! })),
  }));
  const same = (a: PropertyDescriptor, b: PropertyDescriptor | undefined): boolean =>
    b !== undefined &&
    a.value === b.value &&
    a.get === b.get &&
    a.set === b.set &&
    a.writable === b.writable &&
    a.enumerable === b.enumerable &&
    a.configurable === b.configurable;
  return () => {
    for (const s of snapshot) {
      if (getProto(s.obj) !== s.proto || !isExtensible(s.obj) || ownKeys(s.obj).length !== s.keyCount) return false;
      for (const p of s.props) if (!same(p.desc, getDesc(s.obj, p.key))) return false;
    }
    return true;
  };
}

/**
 * Reflection that could turn a data property into an accessor or swap a prototype refuses the objects
 * `isProtected` names (the parsed document's nodes): otherwise a function could plant code that runs,
 * or lies, when another function reads the tree.
 */
function installReflectionGuards(isProtected: (o: unknown) => boolean): void {
  const refuse = (what: string): never => {
    throw new TypeError(`${what} is not allowed on the parsed document; read it, or edit it with cheerio methods`);
  };
  const guard = <F extends (...args: never[]) => unknown>(owner: object, key: string, what: string): void => {
    const original = (owner as Record<string, F>)[key]!;
    const guarded = {
      [key](this: unknown, ...args: Parameters<F>): unknown {
        if (isProtected(args[0])) refuse(what);
        return Reflect.apply(original, this, args);
      },
    }[key]!;
    Object.defineProperty(owner, key, { value: guarded, writable: true, configurable: true, enumerable: false });
  };
  guard(Object, 'defineProperty', 'Object.defineProperty');
  guard(Object, 'defineProperties', 'Object.defineProperties');
  guard(Object, 'setPrototypeOf', 'Object.setPrototypeOf');
  guard(Reflect, 'defineProperty', 'Reflect.defineProperty');
  guard(Reflect, 'setPrototypeOf', 'Reflect.setPrototypeOf');
  for (const key of ['__defineGetter__', '__defineSetter__']) {
    const original = (Object.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!;
    Object.defineProperty(Object.prototype, key, {
      value: function (this: unknown, ...args: unknown[]): unknown {
        if (isProtected(this)) refuse(key);
        return Reflect.apply(original, this, args);
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  const proto = Object.getOwnPropertyDescriptor(Object.prototype, '__proto__')!;
  const setProto = proto.set!;
  Object.defineProperty(Object.prototype, '__proto__', {
    get: proto.get,
    set(this: unknown, value: unknown) {
      if (isProtected(this)) refuse('Setting __proto__');
      Reflect.apply(setProto, this, [value]);
    },
    configurable: true,
    enumerable: false,
  });
}

export interface Hardened {
  /** The real clock, for timing calls (user code only sees the fixed one). */
  realNow: () => number;
  /** Reset per-call state: implicit globals, random seed. */
  resetForCall: () => void;
  /** Reset legacy RegExp statics (RegExp.$1, lastMatch, ...): once per document. */
  resetForDocument: () => void;
  /** False once someone changed RegExp or RegExp.prototype. */
  regExpIntact: () => boolean;
  /** False once someone replaced one of the methods regex operations call (a subset of regExpIntact, cheap enough per call). */
  regExpMethodsIntact: () => boolean;
  /** Function constructor captured before user code could see it. */
  compile: (body: string) => () => unknown;
}

/**
 * Locks the context down. `extraRoots`: objects of the bundled libraries that user code can reach
 * (for example through a sample cheerio document); they are frozen along with the built-ins.
 * `isProtected`: objects that reflection must not give accessors or a new prototype.
 */
export function harden(fixedNow: number, extraRoots: readonly object[], isProtected: (o: unknown) => boolean): Hardened {
  const FunctionCtor = Function;
  for (const name of REMOVED_GLOBALS) Reflect.deleteProperty(globalThis, name);
  installReflectionGuards(isProtected);
  capArrayLengths();
  const determinism = installDeterminism(fixedNow);
  const scratch = installGlobalScratch();
  for (const [target, key] of OVERRIDABLE) makeOverridable(target(), key);
  // The proxy's target must stay extensible (proxy invariants); what it inherits from is frozen here.
  deepFreeze([globalThis, ...hiddenIntrinsics(), ...extraRoots], {
    walkOnly: [RegExp, RegExp.prototype],
    skip: [scratch.proxy, scratch.target],
  });
  const regExpIntact = regExpIntegrityCheck();
  const regExpMethodsIntact = regExpMethodsCheck();
  return {
    realNow: determinism.realNow,
    resetForCall: () => {
      scratch.reset();
      determinism.resetRandom();
    },
    resetForDocument: determinism.resetRegExpStatics,
    regExpIntact,
    regExpMethodsIntact,
    compile: (body) => new FunctionCtor(body) as () => unknown,
  };
}
