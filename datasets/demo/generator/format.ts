import type { CalendarDate } from './films.ts';

// Hand-written formats instead of Intl/toLocale*, whose output depends on the ICU build.
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const pad2 = (n: number): string => String(n).padStart(2, '0');
const monthName = (date: CalendarDate): string => MONTHS[date.month - 1] ?? `month ${date.month}`;

export type DateFormat = (date: CalendarDate) => string;

/** "March 3, 2019" */
export const longDate: DateFormat = (d) => `${monthName(d)} ${d.day}, ${d.year}`;
/** "2019-03-03" */
export const isoDate: DateFormat = (d) => `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
/** "03/03/2019" (month first) */
export const usNumericDate: DateFormat = (d) => `${pad2(d.month)}/${pad2(d.day)}/${d.year}`;
/** "3 March 2019" */
export const dayMonthYear: DateFormat = (d) => `${d.day} ${monthName(d)} ${d.year}`;

export type RuntimeFormat = (minutes: number) => string;

/** "112 min" */
export const shortMinutes: RuntimeFormat = (m) => `${m} min`;
/** "112 minutes" */
export const longMinutes: RuntimeFormat = (m) => `${m} minutes`;
/** "1h 52m" */
export const hoursMinutes: RuntimeFormat = (m) => `${Math.floor(m / 60)}h ${pad2(m % 60)}m`;
/** "PT1H52M", the schema.org / ISO 8601 duration carried in machine-readable markup. */
export const isoDuration = (m: number): string => `PT${Math.floor(m / 60)}H${m % 60}M`;

/** 74 -> "7.4" */
export const rating = (tenths: number): string => `${Math.floor(tenths / 10)}.${tenths % 10}`;

/** 12345 -> "12,345" */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');
