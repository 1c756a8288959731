import { extname } from 'node:path';
import type { DocumentFormat } from './types.ts';

const htmlExtensions = new Set(['.html', '.htm', '.xhtml', '.shtml']);
const textExtensions = new Set(['.txt', '.md', '.markdown', '.text', '.csv', '.tsv', '.log']);
const markupSniff = /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body|base|meta|title|div|table|p)[\s>/]/i;

/** Format by extension; files with other extensions are sniffed for leading HTML markup. */
export function detectFormat(fileName: string, text: string): DocumentFormat {
  const extension = extname(fileName).toLowerCase();
  if (htmlExtensions.has(extension)) return 'html';
  if (textExtensions.has(extension)) return 'text';
  return markupSniff.test(text.slice(0, 2048)) ? 'html' : 'text';
}
