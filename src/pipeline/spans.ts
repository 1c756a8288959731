/** Where a cell's values sit in its document: character spans in the view, and the PDF page they fall on. */
import type { Outcome } from '../sandbox/index.ts';

/** Each distinct value's first span in the view (exact, else case-insensitive), or null when it is not there verbatim. */
export function spansOf(view: string, outcomes: Record<string, Outcome>): Map<string, [number, number] | null> {
  const spans = new Map<string, [number, number] | null>();
  const lower = view.toLowerCase();
  for (const outcome of Object.values(outcomes)) {
    if (outcome.kind !== 'value') continue;
    for (const value of outcome.value) {
      if (spans.has(value)) continue;
      let start = view.indexOf(value);
      if (start < 0) start = lower.indexOf(value.toLowerCase());
      spans.set(value, start < 0 ? null : [start, start + value.length]);
    }
  }
  return spans;
}

/** The 1-based page holding a view offset, from the offsets where pages start. */
export function pageAt(pages: readonly number[], offset: number): number {
  let page = 1;
  while (page < pages.length && (pages[page] as number) <= offset) page++;
  return page;
}
