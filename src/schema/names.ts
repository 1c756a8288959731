/** An attribute name as a table column: lowercase snake_case words, e.g. "Release Date:" -> "release_date". */
export function attributeName(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Shared shape of discovered attributes, whoever discovered them. */
export interface DiscoveredAttribute {
  /** snake_case key, e.g. `release_date`. */
  name: string;
  /** Sample documents that state it (under this name or an alias). */
  frequency: number;
  /** Up to three distinct values seen for it, in sample order. */
  examples: string[];
  /** Other labels found for the same values (`released`, `date_published`), merged into this column. */
  aliases?: string[];
}
