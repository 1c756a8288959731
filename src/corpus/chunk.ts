import { DEFAULTS } from '../core/settings.ts';
/** A slice of a view: `text === view.slice(start, end)`, so a value found in a chunk maps back to the view. */
export interface Chunk {
  index: number;
  start: number;
  end: number;
  text: string;
}

export interface ChunkOptions {
  /** Largest chunk in characters (default 3000, the paper's budget). */
  maxChars?: number;
  /** Alternatively a token budget, converted at 4 characters per token (a common approximation for English). */
  maxTokens?: number;
}

export const CHARS_PER_TOKEN = 4;

// Where a cut reads most naturally, best first: a blank line, a line end, a sentence end, a space.
const boundaries = [/\n\s*\n/g, /\n/g, /[.!?;](?=\s)/g, /\s/g];

/**
 * Cut a view into chunks of at most the budget, each ending at the most natural boundary available
 * within the budget. Chunks cover the view without gaps or overlap.
 */
export function chunkView(view: string, options: ChunkOptions = {}): Chunk[] {
  const maxChars = Math.max(1, options.maxChars ?? (options.maxTokens ? options.maxTokens * CHARS_PER_TOKEN : DEFAULTS.chunkChars));
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < view.length) {
    const end = start + maxChars >= view.length ? view.length : cutPoint(view, start, start + maxChars);
    chunks.push({ index: chunks.length, start, end, text: view.slice(start, end) });
    start = end;
  }
  return chunks;
}

function cutPoint(view: string, start: number, limit: number): number {
  const window = view.slice(start, limit);
  // A cut in the first half of the budget wastes too much of it; fall through to a finer boundary.
  const minimum = Math.floor(window.length / 2);
  for (const boundary of boundaries) {
    let best = -1;
    for (const match of window.matchAll(boundary)) {
      const after = match.index + match[0].length;
      if (after > minimum) best = after;
    }
    if (best > 0) return start + best;
  }
  return limit;
}

/**
 * Order a document's chunks by how likely they hold an attribute's value: chunks that mention the
 * attribute's name (underscores read as spaces) first, then by how many of the attribute's words
 * (and its description's) they contain; ties keep document order.
 */
export function rankChunks(chunks: readonly Chunk[], attribute: string, description = ''): Chunk[] {
  const name = attribute.toLowerCase().replace(/[_-]+/g, ' ').trim();
  const words = new Set(wordsOf(`${attribute} ${description}`));
  const scored = chunks.map((chunk) => {
    const text = chunk.text.toLowerCase();
    const mentions = name !== '' && text.includes(name) ? 1 : 0;
    const chunkWords = new Set(wordsOf(text));
    let overlap = 0;
    for (const word of words) if (chunkWords.has(word)) overlap++;
    return { chunk, mentions, overlap };
  });
  scored.sort((a, b) => b.mentions - a.mentions || b.overlap - a.overlap || a.chunk.index - b.chunk.index);
  return scored.map((entry) => entry.chunk);
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 1);
}
