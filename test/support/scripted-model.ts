/**
 * A scripted "capable model" for end-to-end tests: it answers the pipeline's prompts the way a good model
 * would, using the gold table of the corpus it is shown. Direct extraction returns the gold values that occur
 * in the chunk; function synthesis writes label-anchored extractors from the context that precedes the value
 * in the chunk (as models do), varying the anchor length per prompt style; discovery lists the gold
 * attributes present. Some replies are deliberately bad (prose, broken code) when `faulty` is set.
 *
 * The `noisy` profile (seeded) is a weaker model, so that tests can see what a capable one hides: some direct
 * answers miss a value or give another document's; replies for three or more attributes are sometimes cut at
 * the token limit; some functions over-capture (the value plus the next words, which the SWDE prefix rule
 * forgives); some arrive wrapped in prose, some as near-duplicates of another. Every choice is a hash of the seed
 * and the prompt, so it does not depend on the order requests arrive in.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashString, openCorpus } from '../../src/corpus/index.ts';
import { truncated, type LoopbackHandler, type ReplySpec } from './loopback-server.ts';

export type Gold = Record<string, Record<string, string | string[]>>;

export interface DemoModel {
  handler: LoopbackHandler;
  views: Map<string, string>;
  gold: Gold;
}

export interface ScriptOptions {
  faulty?: boolean;
  /** A weaker model: seeded noise in answers and functions (see above). */
  noisy?: { seed: number };
}

export async function loadDemoModel(datasetDir: string, options: ScriptOptions = {}): Promise<DemoModel> {
  const gold = JSON.parse(await readFile(join(datasetDir, 'table.json'), 'utf8')) as Gold;
  const corpus = await openCorpus(join(datasetDir, 'docs'));
  const views = new Map<string, string>();
  for await (const doc of corpus.views()) views.set(doc.id, doc.view);
  return { handler: scriptedHandler(views, gold, options.faulty ?? false, options.noisy), views, gold };
}

/** A number in [0, 1) fixed by the seed, the prompt and what is being decided. */
function chance(seed: number, prompt: string, what: string): number {
  return (hashString(`${seed}\u0000${what}\u0000${prompt}`) % 10_000) / 10_000;
}

function chunkOf(prompt: string): string {
  const match = /\n---\n([\s\S]*?)\n---\n/.exec(prompt);
  return match?.[1] ?? '';
}

function docOf(views: Map<string, string>, chunk: string): string | undefined {
  if (chunk === '') return undefined;
  for (const [id, view] of views) if (view.includes(chunk)) return id;
  return undefined;
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export function scriptedHandler(views: Map<string, string>, gold: Gold, faulty: boolean, noisy?: { seed: number }): LoopbackHandler {
  let synthesisRequests = 0;
  let directRequests = 0;
  return ({ prompt }): ReplySpec => {
    const chunk = chunkOf(prompt);
    const doc = docOf(views, chunk);
    const record = doc ? (gold[doc] ?? {}) : {};
    if (prompt.includes('List the attributes (fields)')) {
      return Object.entries(record)
        .filter(([, value]) => asList(value).some((item) => visibleText(chunk).includes(item)))
        .map(([name, value]) => `${name.replace(/_/g, ' ')}: ${asList(value).join(', ')}`)
        .join('\n');
    }
    if (prompt.includes('Rank the attributes')) {
      const names = [...prompt.matchAll(/^- (\S+) \(\d+\)/gm)].map((match) => match[1]);
      return JSON.stringify(names);
    }
    if (prompt.includes('Answer with one JSON object')) {
      if (faulty && directRequests++ % 3 === 1) return 'The document is about a film; I could not find all the values.';
      const names = [...prompt.slice(0, prompt.indexOf('\n---\n')).matchAll(/^- ([a-z0-9_]+)/gm)].map((match) => match[1] as string);
      const answer: Record<string, string | string[] | null> = {};
      for (const name of names) {
        const values = asList(record[name]).filter((item) => visibleText(chunk).includes(item));
        answer[name] = values.length === 0 ? null : values.length === 1 ? (values[0] as string) : values;
        if (noisy && answer[name] !== null) {
          const roll = chance(noisy.seed, prompt, `direct ${name}`);
          if (roll < 0.1) answer[name] = null;
          else if (roll < 0.2) answer[name] = otherValue(gold, doc, name) ?? answer[name];
        }
      }
      const json = `\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``;
      if (noisy && names.length >= 3 && chance(noisy.seed, prompt, 'truncate') < 0.5) {
        return { content: json.slice(0, Math.floor(json.length / 2)), finishReason: 'length' };
      }
      return json;
    }
    const attribute = /Attribute: ([a-z0-9_]+)/.exec(prompt)?.[1];
    if (attribute !== undefined) {
      const turn = synthesisRequests++;
      if (faulty && turn % 5 === 1) return 'I am sorry, I cannot write code for this.';
      if (faulty && turn % 5 === 3) return '```javascript\nfunction extract(doc, $) { return doc.match(/(/)[1]; }\n```';
      if (faulty && turn % 5 === 4) return turn % 2 ? '' : truncated('```javascript\nfunction extract(doc, $) {\n  const m = doc.match(/<h1');
      const source = labelFunction(chunk, asList(record[attribute]));
      if (noisy) {
        const roll = chance(noisy.seed, prompt, 'function');
        if (roll < 0.3) return `\`\`\`javascript\n${overCapturing(source)}\n\`\`\``;
        if (roll < 0.45) return `Here is a function that reads the ${attribute}:\n\n\`\`\`js\n${source}\n\`\`\`\n\nIt looks for the label and returns the text after it.`;
        if (roll < 0.55) return `\`\`\`javascript\n${source.replace('{\n', '{\n  // reads the value after its label\n')}\n\`\`\``;
      }
      return `\`\`\`javascript\n${source}\n\`\`\``;
    }
    return 'unexpected prompt';
  };
}

/** The attribute's value in some other document: what a confused model answers. */
function otherValue(gold: Gold, doc: string | undefined, name: string): string | undefined {
  const others = Object.entries(gold).filter(([id, record]) => id !== doc && record[name] !== undefined);
  const picked = others[hashString(`${doc}:${name}`) % Math.max(1, others.length)];
  return picked ? asList(picked[1][name])[0] : undefined;
}

/** The same extractor, returning its value plus the two words that follow it on the page. */
function overCapturing(source: string): string {
  return [
    source.replace('function extract(doc, $)', 'function exact(doc, $)'),
    'function extract(doc, $) {',
    '  const value = exact(doc, $);',
    "  if (typeof value !== 'string') return value;",
    '  const at = doc.indexOf(value);',
    "  const next = at < 0 ? '' : doc.slice(at + value.length).replace(/<[^>]+>/g, ' ').replace(/\\s+/g, ' ').trim().split(' ').slice(0, 2).join(' ');",
    "  return next ? value + ' ' + next : value;",
    '}',
  ].join('\n');
}

/** Text as a reader sees it: tags removed, whitespace collapsed. */
export function visibleText(markup: string): string {
  return markup.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
}

/**
 * The extractor a capable model writes after seeing the value in the chunk: it finds the label the value
 * follows (on the value's line, or the line before, as in `<dt>`/`<dd>` or label/value divs) and writes a
 * line scanner for that label that reads the text after it, tags stripped.
 */
function labelFunction(chunk: string, values: string[]): string {
  const lines = chunk.split('\n');
  const value = values.find((item) => lines.some((line) => visibleText(line).includes(item)));
  if (value === undefined) return 'function extract(doc, $) {\n  return null;\n}';
  const holding = lines.flatMap((line, at) => (visibleText(line).includes(value) ? [at] : []));
  const labelledAt = (at: number) => /\p{L}/u.test(visibleText(lines[at] as string).split(value)[0] ?? '');
  // A model picks the occurrence it can anchor on: a heading, or a value after its label.
  const index = holding.find((at) => /^<h[1-3][\s>]/.test(lines[at] as string)) ?? holding.find(labelledAt) ?? (holding[0] as number);
  const before = visibleText(lines[index] as string).split(value)[0]?.replace(/[:\s]+$/, '').trim() ?? '';
  const heading = /^<(h[1-3])[\s>]/.exec(lines[index] as string);
  if (before === '' && heading) {
    // A value that is a heading's text: a model reaches for the DOM helper.
    return [
      'function extract(doc, $) {',
      `  const text = $(${JSON.stringify(heading[1])}).first().text().replace(/\\s*\\(\\d{4}\\)\\s*$/, '').trim();`,
      '  return text || null;',
      '}',
    ].join('\n');
  }
  const label = /\p{L}/u.test(before) ? before.split(/[.!?] /).pop()!.slice(-40).trim() : visibleText(lines[index - 1] ?? '').replace(/:$/, '');
  if (label === '') return 'function extract(doc, $) {\n  return null;\n}';
  const pattern = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [
    'function extract(doc, $) {',
    "  const text = (line) => line.replace(/<[^>]+>/g, '').replace(/\\s+/g, ' ').trim();",
    "  const lines = doc.split('\\n');",
    `  const label = new RegExp(${JSON.stringify(`(?:^|>)\\s*${pattern}\\s*:?`)}, 'i');`,
    '  for (let i = 0; i < lines.length; i++) {',
    '    const m = label.exec(text(lines[i]).length ? lines[i] : "");',
    '    if (!m) continue;',
    "    let value = text(lines[i].slice(m.index + m[0].length)).replace(/^[:\\s]+/, '');",
    '    for (let j = i + 1; !value && j < Math.min(lines.length, i + 3); j++) value = text(lines[j]);',
    '    if (!value) continue;',
    values.length > 1
      ? "    return value.split(/\\s*[,/]\\s*/).filter(Boolean);"
      : /^\d+(?:\.\d+)?$/.test(value)
        ? '    const number = value.match(/\\d+(?:\\.\\d+)?/);\n    if (number) return number[0];'
        : '    return value;',
    '  }',
    '  return null;',
    '}',
  ].join('\n');
}
