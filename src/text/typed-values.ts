/**
 * Typed values for attributes whose schema form says what they are: a date form ("YYYY-MM-DD",
 * "DD/MM/YYYY", "a date") gives ISO dates, a number form ("a number", "amount in dollars", "0.00")
 * gives numbers. The raw string stays the cell's value; a typed value is null when the raw one
 * does not read as that type, never a guess (an ambiguous 03/04/2020 under a form without an order).
 */

export type ValueKind = 'date' | 'number';
export type TypedValue = string | number | null;

const DATE_FORM = /\bY{2,4}\b|\bISO[ -]?8601\b|^\s*(?:an? |the )?(?:iso |calendar )?date\b/i;
const NUMBER_FORM = /^\s*(?:an? |the )?(?:plain |whole |decimal )?(?:number|integer|decimal|amount|numeric value|float)(?: (?:in|of) [a-z ]+)?(?:\s*(?:only|[,.;(]|e\.g\.).*)?$/i;
const NUMBER_PICTURE = /^\s*[#0][#0,]*(?:\.[#0]+)?\s*$/;

/** What a form asks for, if it is a date or a number; null for any other form (or none). */
export function valueKind(form: string | undefined): ValueKind | null {
  if (form === undefined) return null;
  if (DATE_FORM.test(form)) return 'date';
  if (NUMBER_FORM.test(form) || NUMBER_PICTURE.test(form)) return 'number';
  return null;
}

export function typedValue(raw: string, kind: ValueKind, form?: string): TypedValue {
  return kind === 'date' ? isoDate(raw, dayFirst(form)) : parseNumber(raw);
}

/** True when the form writes the day before the month (DD/MM/YYYY), false when after, undefined when it does not say. */
function dayFirst(form: string | undefined): boolean | undefined {
  const day = form?.search(/D{1,2}/) ?? -1;
  const month = form?.search(/M{1,2}/) ?? -1;
  return day < 0 || month < 0 ? undefined : day < month;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAME = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const ORDINAL = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const NUMERIC = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$/;
const MONTH_DAY_YEAR = new RegExp(`^${MONTH_NAME}\\s+${ORDINAL},?\\s+(\\d{4})$`, 'i');
const DAY_MONTH_YEAR = new RegExp(`^${ORDINAL}(?:\\s+day)?(?:\\s+of)?\\s+${MONTH_NAME},?\\s+(\\d{4})$`, 'i');

export function isoDate(raw: string, dayBeforeMonth?: boolean): string | null {
  const text = raw.trim().replace(/[.,]$/, '');
  let match = YEAR_FIRST.exec(text);
  if (match) return ymd(Number(match[1]), Number(match[2]), Number(match[3]));
  match = NUMERIC.exec(text);
  if (match) {
    const [first, second] = [Number(match[1]), Number(match[2])];
    const year = fullYear(match[3] as string);
    const order = dayBeforeMonth ?? (first > 12 ? true : second > 12 ? false : undefined);
    if (order === undefined) return null;
    return order ? ymd(year, second, first) : ymd(year, first, second);
  }
  match = MONTH_DAY_YEAR.exec(text);
  if (match) return ymd(Number(match[3]), monthOf(match[1] as string), Number(match[2]));
  match = DAY_MONTH_YEAR.exec(text);
  if (match) return ymd(Number(match[3]), monthOf(match[2] as string), Number(match[1]));
  return null;
}

const fullYear = (digits: string): number => (digits.length === 4 ? Number(digits) : Number(digits) + (Number(digits) < 70 ? 2000 : 1900));
const monthOf = (name: string): number => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

function ymd(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * "$1,234.56", "RM 12.50", "1.234,56 EUR", "(12.00)", "-3", "12%": a number with an optional currency or unit
 * around it. With both `.` and `,` the later one is the decimal mark; one kind written more than once groups
 * thousands, as does a single comma before exactly three digits ("1,234"); otherwise it is the decimal mark.
 */
export function parseNumber(raw: string): number | null {
  const match = /^(\()?\s*(?:[A-Z]{1,3}\s?)?[$€£¥₹]?\s*([-+−]?)\s*(\d[\d.,' ]*)\s*(?:%|[A-Za-z]{1,3})?\s*(\))?$/.exec(raw.trim());
  if (match === null) return null;
  const [, open, sign, digits, close] = match;
  if ((open === undefined) !== (close === undefined)) return null;
  const number = Number(plainDigits((digits as string).replace(/[' ]/g, '')));
  if (!Number.isFinite(number)) return null;
  return (open !== undefined || sign === '-' || sign === '−' ? -1 : 1) * number;
}

function plainDigits(digits: string): string {
  const mark = Math.max(digits.lastIndexOf('.'), digits.lastIndexOf(','));
  if (mark < 0) return digits;
  const separator = digits[mark] as string;
  const both = digits.includes('.') && digits.includes(',');
  const grouping = !both && (digits.indexOf(separator) !== mark || (separator === ',' && digits.length - mark - 1 === 3));
  if (grouping) return digits.replace(/[.,]/g, '');
  return `${digits.slice(0, mark).replace(/[.,]/g, '')}.${digits.slice(mark + 1)}`;
}
