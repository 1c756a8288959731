/**
 * Pull a JSON value out of a model reply: a fenced block, the whole reply, or the first balanced
 * object/array in it. Returns undefined when there is none (prose, empty or truncated replies).
 */
export function parseJsonReply(content: string): unknown {
  const fenced = /```(?:json)?\s*\n?([\s\S]*?)```/i.exec(content);
  const candidates = [fenced?.[1], content, firstBalanced(content, '{', '}'), firstBalanced(content, '[', ']')];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    try {
      return JSON.parse(candidate.trim());
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

/** The first `open ... close` span with balanced brackets, skipping brackets inside string literals. */
export function firstBalanced(text: string, open: string, close: string, from = 0): string | undefined {
  const start = text.indexOf(open, from);
  if (start < 0) return undefined;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (quote !== null) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === open) depth++;
    else if (char === close && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}
