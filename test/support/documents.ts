/** Office documents written by the tests themselves: PDFs with pdf-lib, a minimal DOCX from its XML parts. */
import fontkit from '@pdf-lib/fontkit';
import { existsSync, readFileSync } from 'node:fs';
import { PDFDocument, PDFHexString, StandardFonts } from 'pdf-lib';
import { crc32 } from 'node:zlib';

/** A PDF with one page per entry, each page's lines drawn top-down; `[]` makes a page with no text at all. */
export async function makePdf(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([400, 600]);
    if (lines.length === 0) page.drawRectangle({ x: 50, y: 50, width: 100, height: 100 });
    lines.forEach((line, i) => page.drawText(line, { x: 40, y: 550 - i * 18, size: 12, font }));
  }
  return pdf.save();
}

/** DejaVu Sans (Debian's fonts-dejavu-core), which covers Greek, Cyrillic and Latin with diacritics; null where absent. */
export const UNICODE_FONT = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'].find((file) => existsSync(file)) ?? null;

/** A one-page PDF of `lines` in an embedded TrueType font (subset, with its ToUnicode map, as word processors write). */
export async function makeUnicodePdf(lines: string[], fontFile: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(readFileSync(fontFile), { subset: true });
  const page = pdf.addPage([500, 600]);
  lines.forEach((line, i) => page.drawText(line, { x: 40, y: 550 - i * 18, size: 12, font }));
  return pdf.save();
}

/**
 * A text document as a PDF of its lines, as a plain word processor would print it: Helvetica 10 pt, 50 lines a
 * page; characters Helvetica cannot encode become "?".
 */
export async function textAsPdf(text: string): Promise<Uint8Array> {
  const LINES_PER_PAGE = 50;
  const lines = text.split('\n');
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const known = new Set(font.getCharacterSet());
  const encodable = (line: string) => [...line].map((ch) => (known.has(ch.codePointAt(0)!) ? ch : '?')).join('');
  for (let start = 0; start < lines.length; start += LINES_PER_PAGE) {
    const page = pdf.addPage([612, 792]);
    lines.slice(start, start + LINES_PER_PAGE).forEach((line, i) => page.drawText(encodable(line), { x: 36, y: 756 - i * 14, size: 10, font }));
  }
  return pdf.save();
}

/** A one-page PDF with two blocks of lines side by side, from the top: `left` at x = 40, `right` at x = 330. */
export async function makeTwoColumnPdf(left: string[], right: string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([612, 792]);
  left.forEach((line, i) => page.drawText(line, { x: 40, y: 740 - i * 14, size: 10, font }));
  right.forEach((line, i) => page.drawText(line, { x: 330, y: 740 - i * 14, size: 10, font }));
  return pdf.save();
}

/**
 * A PDF that says it is encrypted with a user password (the standard security handler's dictionary, with keys that
 * match no password): what a reader meets in a password-protected file. pdf-lib cannot encrypt, so it is added by hand.
 */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([200, 200]).drawText('Secret', { x: 10, y: 100, size: 12, font });
  const { context } = pdf;
  context.trailerInfo.Encrypt = context.register(context.obj({ Filter: 'Standard', V: 1, R: 2, O: PDFHexString.of('00'.repeat(32)), U: PDFHexString.of('11'.repeat(32)), P: -4 }));
  context.trailerInfo.ID = context.obj([PDFHexString.of('ab'.repeat(16)), PDFHexString.of('ab'.repeat(16))]);
  return pdf.save({ useObjectStreams: false });
}

/** A stored (uncompressed) ZIP archive of the given files. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Word document of plain paragraphs. */
export function makeDocx(paragraphs: string[]): Buffer {
  const body = paragraphs.map((text) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`).join('');
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml':
      '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      `<w:body>${body}</w:body></w:document>`,
  });
}
