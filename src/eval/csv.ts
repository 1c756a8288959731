/**
 * RFC 4180 CSV parsing: fields separated by commas, records by CRLF or LF, fields optionally
 * quoted with `"` (a quote inside a quoted field doubled), quoted fields may span lines.
 */

/** Parses CSV text into records of fields. A leading BOM is ignored; a final line break ends no extra record. */
export function parseCsv(text: string, source: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i += 1) {
    const ch = input[i]!;
    if (quoted) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line += 1;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (fieldStarted && field !== '') {
        throw new Error(`${source}:${line}: a quote inside an unquoted field; quote the whole field and double inner quotes`);
      }
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && input[i + 1] === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
      line += 1;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error(`${source}: a quoted field is not closed before the end of the file`);
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
