import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.ts';
import { PAGE_STYLE } from './page-style.ts';
import type { ReportData } from './types.ts';

/**
 * JSON that is safe inside a `<script type="application/json">` element: `<`, `>` and `&` are written as
 * \u escapes, so no document content can close the element or open a comment; U+2028/U+2029 likewise, so
 * the text is also valid JavaScript. JSON.parse reads the escapes back to the same characters.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The whole page. The static markup holds no run data at all: the script builds everything from the JSON
 * block with text nodes. The content security policy allows only this page's own script and style (by
 * hash) and, from the report server only, its copy of pdf.js (to draw a PDF value's page); no network but the
 * server's own endpoints, and no images, frames or forms, so even a mistake in escaping could not load or run
 * anything else.
 */
export function renderReportHtml(data: ReportData): string {
  const policy = [
    "default-src 'none'",
    `script-src ${hash(PAGE_SCRIPT)} http://127.0.0.1:*/pdfjs.mjs`,
    `style-src ${hash(PAGE_STYLE)}`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<title>evaporate report</title>',
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<div id="app"><noscript>This report needs JavaScript to show the table.</noscript></div>',
    `<script type="application/json" id="report-data">${embedJson(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
