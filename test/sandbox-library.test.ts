import { describe, expect, it } from 'vitest';
import { parseProgram } from '../src/run/index.ts';
import { createSandbox, hostLibrary, LIBRARY_VERSION } from '../src/sandbox/index.ts';
import type { ExtractorSource, Outcome, SandboxDocument } from '../src/sandbox/index.ts';

const PAGE = `<title>The Hobbit</title>
<h1>The Hobbit</h1>
<table><tr><td>Publisher</td><td>Mariner Books</td></tr><tr><td>Pages</td><td>300</td></tr></table>
<p>Published September 2012.</p>`;
const docs: SandboxDocument[] = [
  { id: 'a.html', view: PAGE, format: 'html' },
  { id: 'b.txt', view: 'Publisher: Plain Press\nDate: 2001', format: 'text' },
];
const LINES = 'function extract(doc, $, lib) { return lib.textLines(doc).join("|") }';

async function outcomes(functions: ExtractorSource[]): Promise<Record<string, Outcome>[]> {
  const sandbox = await createSandbox(functions, { isolates: 1 });
  try {
    const out: Record<string, Outcome>[] = [];
    for await (const result of sandbox.run(docs)) out.push(result.outcomes);
    return out;
  } finally {
    await sandbox.close();
  }
}


describe('the sandbox library', () => {
  it('gives functions the same helpers, with the same results, as the host has', async () => {
    const lib = hostLibrary();
    const result = await outcomes([
      { id: 'lines', source: LINES },
      { id: 'date', source: 'function extract(doc, $, lib) { return lib.pickDate(lib.joinedText(doc), null, "mdy") }' },
    ]);
    docs.forEach((doc, i) => {
      // The sandbox's output normalization collapses whitespace (the tabs between table cells).
      expect(result[i]!.lines).toEqual({ kind: 'value', value: [(lib.textLines!(doc.view) as string[]).join('|').replace(/\s+/g, ' ')] });
    });
    expect(result[0]!.date).toEqual({ kind: 'value', value: [lib.pickDate!(lib.joinedText!(PAGE), null, 'mdy')] });
  });

  it('shares results that no function can change for the next one', async () => {
    const result = await outcomes([
      { id: 'push', source: 'function extract(doc, $, lib) { lib.textLines(doc).push("planted"); return "pushed" }' },
      { id: 'replace', source: 'function extract(doc, $, lib) { lib.textLines = function () { return ["planted"] }; return "replaced" }' },
      { id: 'lines', source: LINES },
    ]);
    for (const row of result) {
      expect(row.push).toMatchObject({ kind: 'error', error: 'threw' });
      expect(JSON.stringify(row.lines)).not.toContain('planted');
    }
  });

  it('does not keep a result computed while a function had replaced a RegExp method', async () => {
    // The hook makes every regex find nothing, so strip() would leave the tags in; it is removed before the call ends.
    const poisoner = `function extract(doc, $, lib) {
      var exec = RegExp.prototype.exec;
      RegExp.prototype.exec = function () { return null; };
      var lines = lib.textLines(doc);
      RegExp.prototype.exec = exec;
      return String(lines.length);
    }`;
    const honest = await outcomes([{ id: 'lines', source: LINES }]);
    const result = await outcomes([{ id: 'poison', source: poisoner }, { id: 'lines', source: LINES }]);
    expect(result[0]!.lines).toEqual(honest[0]!.lines);
    expect(result[1]!.lines).toEqual(honest[1]!.lines);
  });

  it('is refused, with the version, by a program that needs a newer one', () => {
    const program = { version: 1, library: LIBRARY_VERSION + 1, attributes: [{ name: 'title', functions: [{ id: 'f', source: LINES }] }] };
    expect(() => parseProgram(program, 'program.json')).toThrow(`needs version ${LIBRARY_VERSION + 1} of the sandbox library`);
    expect(parseProgram({ ...program, library: LIBRARY_VERSION }).library).toBe(LIBRARY_VERSION);
  });
});
