/**
 * Built-in candidates are written over the sandbox library (../../sandbox/library.ts): a candidate's
 * `extract(doc, $, lib)` takes the helpers it calls from `lib`, so its source stays a few readable lines and the
 * work over a whole document (its text lines, say) is done once per document, not once per function.
 *
 * `hostFunction` runs the same helpers on the host so that the synthesizer reads the sample exactly as its
 * candidates will (same lines, same date and amount patterns). That is code written in this project, with
 * document text only inside escaped string literals, so unlike model output it needs no sandbox.
 */
import { hostLibrary, LIBRARY_HELPERS } from '../../sandbox/index.ts';

/** Names used as calls in a piece of code, restricted to known helpers. */
function helperCalls(code: string): string[] {
  const names: string[] = [];
  for (const match of code.matchAll(/\b([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = match[1]!;
    if (Object.hasOwn(LIBRARY_HELPERS, name) && !names.includes(name)) names.push(name);
  }
  // Helpers passed by name (e.g. `firstValue(list, cleanValue)`) count as used too.
  for (const match of code.matchAll(/[(,]\s*([A-Za-z_$][\w$]*)\s*[),]/g)) {
    const name = match[1]!;
    if (Object.hasOwn(LIBRARY_HELPERS, name) && !names.includes(name)) names.push(name);
  }
  return names;
}

/** The library helpers a body calls, in the library's order. */
export function helpersFor(body: string): string[] {
  const called = new Set(helperCalls(body));
  return Object.keys(LIBRARY_HELPERS).filter((name) => called.has(name));
}

/** `var { a, b } = lib;`: the helpers a body calls, taken from the library (nothing when it calls none). */
function libraryImports(body: string): string[] {
  const names = helpersFor(body);
  return names.length === 0 ? [] : [`var { ${names.join(', ')} } = lib;`];
}

/** A complete candidate source: `extract` with the given body, which calls library helpers by name. */
export function assembleSource(body: string): string {
  const indented = [...libraryImports(body), ...body.trim().split('\n')].map((line) => `  ${line}`).join('\n');
  return `function extract(doc, $, lib) {\n${indented}\n}`;
}

/** A JavaScript literal for a string or string list, safe to paste into a source. */
export function literal(value: string | readonly string[] | RegExp): string {
  if (value instanceof RegExp) return value.toString();
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * A host-side function over the helpers: `params` are its parameter names, `expression` its result.
 * Used to read the sample with exactly the code that candidates run (see the module comment); the
 * expressions come from this module's templates, with document text only inside escaped literals.
 */
export function hostFunction<T extends (...args: never[]) => unknown>(params: readonly string[], expression: string): T {
  const key = `${params.join(',')}\u0000${expression}`;
  const cached = compiled.get(key);
  if (cached) return cached as T;
  const run = new Function('lib', ...params, `${libraryImports(expression).join('\n')}\nreturn (${expression});`);
  const lib = hostLibrary();
  const fn = ((...args: unknown[]) => run(lib, ...args)) as unknown as T;
  compiled.set(key, fn);
  return fn;
}

const compiled = new Map<string, unknown>();
