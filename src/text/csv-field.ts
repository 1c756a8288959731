// One CSV field as the result table writes it, and read back.

const needsQuotes = /[",\n\r]|^\s|\s$/;

/**
 * A CSV field, quoted when needed. A value a spreadsheet would run as a formula (starting with = + - @, a tab or
 * a carriage return) gets a leading apostrophe, which spreadsheets show as text (OWASP's advice against CSV
 * injection); plain numbers such as -5.00 are left as they are. `evaporate eval` reads the apostrophe back off.
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return needsQuotes.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?\d[\d,]*(?:\.\d+)?$/;

/** A field as written by {@link csvField}, with its anti-formula apostrophe removed. */
export function unescapeCsvField(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
