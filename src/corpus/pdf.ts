/**
 * PDF documents as text views. unpdf (the UnJS team's packaging of Mozilla's pdf.js for servers: pure JS, no
 * worker, no canvas) reads the text layer; pdf.js is the most used PDF reader in JavaScript and handles the
 * broken files real corpora hold. This build of pdf.js has no code path that compiles code found in a file (no
 * eval of font programs: what `isEvalSupported: false` asks of other builds), and a page limit bounds the work.
 *
 * The view is the text in reading order: text items grouped into lines by their baseline, left to right, a word
 * broken by a hyphen at a line end joined, and a marker line between pages. `pages` gives where each page
 * starts in the view, so every value's page follows from its offset; `lines` gives each line's box on its page, so a
 * value's box does too.
 */
import { getDocumentProxy } from 'unpdf';

export const MAX_PDF_PAGES = 2_000;
/** The line between two pages in a PDF's view. */
export const PAGE_BREAK = '--- page break ---';

/**
 * Per view line, flat: start offset, end offset, then its box on the page in PDF points (x0, y0, x1, y1; origin at
 * the page's bottom left, as PDF draws). Six numbers a line: compact across threads for a 2,000-page file.
 */
export type LineBoxes = number[];

export type PdfText = { view: string; pages: number[]; lines: LineBoxes } | { skip: string };

/** A line of a page's text with the box of the items it came from. */
interface Line {
  text: string;
  box: [number, number, number, number];
}

interface Item {
  str: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export async function pdfText(bytes: Uint8Array): Promise<PdfText> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes), { stopAtErrors: false, verbosity: 0 });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/password/i.test((error as Error).name ?? '') || /password/i.test(message)) return { skip: 'the PDF is encrypted (needs a password)' };
    return { skip: `not a readable PDF: ${message}` };
  }
  try {
    if (pdf.numPages > MAX_PDF_PAGES) return { skip: `${pdf.numPages} pages, over the ${MAX_PDF_PAGES} a PDF may have` };
    const texts: Line[][] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      const items: Item[] = [];
      for (const item of content.items) {
        if (!('str' in item) || item.str === '') continue;
        const [, , , d, x, y] = item.transform as number[];
        items.push({ str: item.str, x: x ?? 0, y: y ?? 0, width: item.width, height: item.height || Math.abs(d ?? 0) || 10 });
      }
      texts.push(pageText(items));
      page.cleanup();
    }
    if (texts.every((lines) => lines.length === 0)) return { skip: 'no text layer (a scanned image?); OCR it first' };
    const pages: number[] = [];
    const boxes: LineBoxes = [];
    let view = '';
    texts.forEach((lines, i) => {
      if (i > 0) view += `\n${PAGE_BREAK}\n`;
      pages.push(view.length);
      lines.forEach((line, j) => {
        if (j > 0) view += '\n';
        boxes.push(view.length, view.length + line.text.length, ...line.box.map((n) => Math.round(n * 10) / 10));
        view += line.text;
      });
    });
    return { view, pages, lines: boxes };
  } catch (error) {
    return { skip: `could not read the PDF's text: ${(error as Error).message}` };
  } finally {
    await pdf.loadingTask.destroy();
  }
}

/**
 * One page's text: its columns left to right when the page has a clear gutter (an empty vertical band in the middle
 * of the text with at least a fifth of the items on each side, both sides prose that fills its width: a form's
 * labels and values also leave an empty band between them, and must stay on their lines), each as lines top to
 * bottom, left to right.
 */
function pageText(items: Item[]): Line[] {
  const gutter = findGutter(items);
  if (gutter === undefined) return columnText(items);
  return [...pageText(items.filter((item) => item.x < gutter)), ...pageText(items.filter((item) => item.x >= gutter))];
}

/** Narrowest empty band between columns, in PDF units (points). */
const GUTTER_MIN_WIDTH = 12;
const MIN_COLUMN_SHARE = 0.2;

/** The x where a second column starts, or undefined for a page read as one column. */
function findGutter(items: Item[]): number | undefined {
  if (items.length < 10) return undefined;
  const left = Math.min(...items.map((item) => item.x));
  const right = Math.max(...items.map((item) => item.x + item.width));
  const covered: [number, number][] = items.map((item) => [item.x, item.x + item.width] as [number, number]).sort((a, b) => a[0] - b[0]);
  // Walk the covered intervals; a hole wide enough, in the middle 20-80% of the text's width, is a gutter.
  let reach = covered[0]?.[1] ?? left;
  for (const [start, end] of covered.slice(1)) {
    if (start - reach >= GUTTER_MIN_WIDTH) {
      const middle = (reach + start) / 2;
      const share = items.filter((item) => item.x < middle).length / items.length;
      const inMiddle = middle > left + 0.2 * (right - left) && middle < left + 0.8 * (right - left);
      if (inMiddle && share >= MIN_COLUMN_SHARE && share <= 1 - MIN_COLUMN_SHARE && isProse(items, middle)) return start;
    }
    reach = Math.max(reach, end);
  }
  return undefined;
}

/** Lines on both sides of `middle` mostly fill their side: wrapped text, not table cells. */
function isProse(items: Item[], middle: number): boolean {
  const sides = [items.filter((item) => item.x < middle), items.filter((item) => item.x >= middle)];
  return sides.every((side) => {
    const from = Math.min(...side.map((item) => item.x));
    const to = Math.max(...side.map((item) => item.x + item.width));
    const widths = side.map((item) => item.width).sort((a, b) => a - b);
    return (widths[Math.floor(widths.length / 2)] ?? 0) >= 0.6 * (to - from);
  });
}

const boxOf = (items: readonly Item[]): Line['box'] => [
  Math.min(...items.map((item) => item.x)),
  Math.min(...items.map((item) => item.y)),
  Math.max(...items.map((item) => item.x + item.width)),
  Math.max(...items.map((item) => item.y + item.height)),
];
const union = (a: Line['box'], b: Line['box']): Line['box'] => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];

/** Text items as lines: top to bottom, each line left to right, with the box each line's items cover. */
function columnText(items: Item[]): Line[] {
  const sorted = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: Item[][] = [];
  for (const item of sorted) {
    const line = lines[lines.length - 1];
    const head = line?.[0];
    if (line && head && Math.abs(head.y - item.y) <= Math.max(head.height, item.height) / 2) line.push(item);
    else lines.push([item]);
  }
  const texts = lines.map((line): Line => ({ text: lineText(line.sort((a, b) => a.x - b.x)), box: boxOf(line) }));
  // A word broken at a line end ("agree-" / "ment") is joined; a dash before a capital or a digit is kept.
  const joined: Line[] = [];
  for (const line of texts) {
    const last = joined[joined.length - 1];
    if (last !== undefined && /\p{L}-$/u.test(last.text) && /^\p{Ll}/u.test(line.text)) joined[joined.length - 1] = { text: last.text.slice(0, -1) + line.text, box: union(last.box, line.box) };
    else joined.push(line);
  }
  return joined.map((line) => ({ ...line, text: line.text.replace(/[\t\u00a0 ]+/g, ' ').trim() })).filter((line) => line.text !== '');
}

function lineText(line: Item[]): string {
  let out = '';
  let end = -Infinity;
  for (const item of line) {
    // A gap wider than a fifth of the text height is a space the PDF did not write as a character.
    if (out !== '' && item.x - end > item.height * 0.2 && !/\s$/.test(out) && !/^\s/.test(item.str)) out += ' ';
    out += item.str;
    end = item.x + item.width;
  }
  return out;
}
