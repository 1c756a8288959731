import { firstBalanced } from '../prompting/replies.ts';

/**
 * The extractor source in a model reply: the first fenced code block that defines a function, else the
 * `function extract ...` text with its balanced body. A function under another name is kept and bound to
 * `extract`, since models often name it after the attribute. Returns null when the reply holds no function.
 */
export function extractFunctionSource(reply: string): string | null {
  const blocks = [...reply.matchAll(/```[a-zA-Z]*[^\S\n]*\n([\s\S]*?)(?:```|$)/g)].map((match) => (match[1] ?? '').trim());
  const source = blocks.find(definesFunction) ?? unfenced(reply);
  if (source === undefined || source === '') return null;
  if (/\b(?:function\s+extract\s*\(|(?:const|let|var)\s+extract\s*=)/.test(source)) return source;
  const named = /\bfunction\s+([A-Za-z_$][\w$]*)\s*\(/.exec(source);
  return named ? `${source}\nvar extract = ${named[1]};` : null;
}

function definesFunction(block: string): boolean {
  return /\bfunction\b|=>/.test(block);
}

function unfenced(reply: string): string | undefined {
  const start = reply.search(/\bfunction\s+[A-Za-z_$][\w$]*\s*\(/);
  if (start < 0) return undefined;
  const body = firstBalanced(reply, '{', '}', start);
  return body === undefined ? reply.slice(start).trim() : reply.slice(start, reply.indexOf(body, start) + body.length);
}

/** Sources equal after collapsing whitespace are treated as the same function. */
export function dedupeKey(source: string): string {
  return source.replace(/\s+/g, ' ').trim();
}
