import type { Film, GoldRow } from './films.ts';
import { rating, type DateFormat, type RuntimeFormat } from './format.ts';
import type { Rng } from './random.ts';

/** What a template needs to render one document. */
export interface RenderInput {
  film: Film;
  /** 1-based document number, used in file names and invented URLs. */
  number: number;
  /** Other films, for sidebars and cross-references: their values are the distractors. */
  related: Film[];
  /** This document's own random stream (layout choices, label synonyms, ordering). */
  rng: Rng;
  /** Whether to plant the hostile snippets that a review report must escape. */
  hostile: boolean;
}

export interface RenderedDocument {
  content: string;
  gold: GoldRow;
}

/** The written forms a document uses for its values; gold copies them, so gold is what the page shows. */
export interface DisplayForms {
  date: DateFormat;
  runtime: RuntimeFormat;
}

// Planted verbatim into user-generated content on a few documents.
export const HOSTILE_SCRIPT = "<script>alert('xss')</script>";
export const HOSTILE_IMG = `<img src="x" onerror="alert('xss')">`;

export function goldRow(film: Film, forms: DisplayForms): GoldRow {
  const row: GoldRow = { title: film.title };
  if (film.director !== null) row.director = film.director;
  if (film.released !== null) row.release_date = forms.date(film.released);
  if (film.runtimeMinutes !== null) row.runtime = forms.runtime(film.runtimeMinutes);
  if (film.genres !== null) row.genres = [...film.genres];
  if (film.ratingTenths !== null) row.rating = rating(film.ratingTenths);
  return row;
}
