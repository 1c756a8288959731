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

/**
 * A span's box on its PDF page (x0, y0, x1, y1 in points, origin bottom left), from the boxes of the view's lines
 * (see `LineBoxes`): within one line, the line's box narrowed in proportion to the characters before and after the
 * span (a glyph-exact box would need every glyph's advance); across lines, the union of theirs.
 */
export function boxAt(lines: readonly number[], [start, end]: readonly [number, number]): [number, number, number, number] | undefined {
  const rows: [number, number, number, number, number, number][] = [];
  for (let i = 0; i + 5 < lines.length; i += 6) {
    const row = lines.slice(i, i + 6) as [number, number, number, number, number, number];
    if (row[1] > start && row[0] < end) rows.push(row);
  }
  const first = rows[0];
  if (first === undefined) return undefined;
  const [from, to, x0, , x1] = first;
  const at = (offset: number) => x0 + ((x1 - x0) * (Math.min(Math.max(offset, from), to) - from)) / Math.max(1, to - from);
  // Over several lines the value wraps: the lines' full widths are its extent.
  const box = rows.length === 1
    ? [at(start), first[3], at(end), first[5]]
    : [Math.min(...rows.map((r) => r[2])), Math.min(...rows.map((r) => r[3])), Math.max(...rows.map((r) => r[4])), Math.max(...rows.map((r) => r[5]))];
  return box.map((n) => Math.round(n * 10) / 10) as [number, number, number, number];
}

/** The 1-based page holding a view offset, from the offsets where pages start. */
export function pageAt(pages: readonly number[], offset: number): number {
  let page = 1;
  while (page < pages.length && (pages[page] as number) <= offset) page++;
  return page;
}
