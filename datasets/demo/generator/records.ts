// Plain-text records from an invented film archive: "Key: value" blocks, free prose and an email,
// in several house styles, each document choosing its own date and runtime wording.
import { personName, type Film } from './films.ts';
import { dayMonthYear, hoursMinutes, isoDate, longDate, longMinutes, rating, shortMinutes, thousands } from './format.ts';
import { goldRow, HOSTILE_SCRIPT, type DisplayForms, type RenderedDocument, type RenderInput } from './document.ts';
import type { Rng } from './random.ts';

type Field = [key: string, value: string];

/** The film's gold fields as (key, value) pairs, keys drawn from each style's vocabulary. */
function fields(film: Film, forms: DisplayForms, keys: Record<'director' | 'released' | 'runtime' | 'genres' | 'rating', string>, genreSeparator: string, ratingSuffix: string): Field[] {
  const out: Field[] = [];
  if (film.director !== null) out.push([keys.director, film.director]);
  if (film.released !== null) out.push([keys.released, forms.date(film.released)]);
  if (film.runtimeMinutes !== null) out.push([keys.runtime, forms.runtime(film.runtimeMinutes)]);
  if (film.genres !== null) out.push([keys.genres, film.genres.join(genreSeparator)]);
  if (film.ratingTenths !== null) out.push([keys.rating, `${rating(film.ratingTenths)}${ratingSuffix}`]);
  return out;
}

function otherFilm(rng: Rng, related: Film[]): string {
  const other = rng.pick(related);
  return other.director === null ? `${other.title} (${other.year})` : `${other.title} (${other.year}), directed by ${other.director}`;
}

function catalogue({ film, number, related, rng }: RenderInput, forms: DisplayForms): string {
  const rows: Field[] = [
    ['Title', film.title],
    ...rng.shuffle(fields(film, forms, { director: 'Director', released: 'Released', runtime: 'Running time', genres: 'Genres', rating: 'Rating' }, ', ', '/10')),
    ['Studio', film.studio],
    ['Country', film.country],
  ];
  if (film.ratingTenths === null) rows.push(['Rating', '(not rated)']);
  const heading = `FILM CATALOGUE - RECORD ${String(number).padStart(3, '0')}`;
  const body = rows.map(([key, value]) => `${`${key}:`.padEnd(14)}${value}`).join('\n');
  const catalogued = isoDate({ year: 2023, month: rng.int(1, 12), day: rng.int(1, 28) });
  return `${heading}\n${'='.repeat(heading.length)}\n${body}\n\nNotes\n-----\n${film.synopsis} Compare with ${otherFilm(rng, related)}.\nCatalogued ${catalogued} by the archive desk.\n`;
}

function prose({ film, related, rng }: RenderInput, forms: DisplayForms): string {
  const lines = [film.title, ''];
  const opening: string[] = [];
  if (film.director !== null) opening.push(`A film by ${film.director}.`);
  if (film.released !== null) opening.push(`First shown on ${forms.date(film.released)} in ${film.country}.`);
  if (film.runtimeMinutes !== null) opening.push(`It runs ${forms.runtime(film.runtimeMinutes)}.`);
  lines.push(opening.join(' '), '', film.synopsis, '');
  if (film.genres !== null) lines.push(`Genre: ${film.genres.join(' / ')}`);
  if (film.ratingTenths !== null) lines.push(`Audience rating: ${rating(film.ratingTenths)} out of 10 (${thousands(film.votes)} votes)`);
  const screening = dayMonthYear({ year: 2024, month: rng.int(1, 12), day: rng.int(1, 28) });
  lines.push(`Next screening: ${screening}, 19:30, Hall ${rng.int(1, 4)}. Programmed alongside ${otherFilm(rng, related)}.`);
  return `${lines.join('\n')}\n`;
}

function email({ film, related, rng }: RenderInput, forms: DisplayForms): string {
  const details = rng.shuffle(fields(film, forms, { director: 'director', released: 'released', runtime: 'length', genres: 'genres', rating: 'score' }, '; ', ''));
  const table = details.map(([key, value]) => `  ${`${key} `.padEnd(12, '.')} ${value}`).join('\n');
  const sent = isoDate({ year: 2024, month: rng.int(1, 6), day: rng.int(1, 28) });
  return `From: programming@kestrel-cinema.example
To: archive@kestrel-cinema.example
Subject: Screening request: "${film.title}"
Date: ${sent}

Hi team,

Could we pull "${film.title}" for the spring season? Details from the distributor below.

${table}

It would pair well with ${otherFilm(rng, related)}.

Thanks,
${personName(rng)}
`;
}

function notes(input: RenderInput, forms: DisplayForms): string {
  const { film, number, rng } = input;
  const pairs = rng.shuffle<Field>([
    ['title', film.title],
    ...fields(film, forms, { director: 'director', released: 'release', runtime: 'runtime', genres: 'genre', rating: 'rating' }, ', ', ' / 10'),
    ['lang', film.language],
    ['cast', film.cast.join(', ')],
  ]);
  const pasted = input.hostile ? `\nPasted from the submission form: ${HOSTILE_SCRIPT} (sanitise before publishing)\n` : '';
  return `# archive note ${number}\n${pairs.map(([key, value]) => `${key} = ${value}`).join('\n')}\n\n${film.synopsis}\n${pasted}`;
}

const STYLES = [catalogue, prose, email, notes];
const DATE_FORMS = [longDate, dayMonthYear, isoDate];
const RUNTIME_FORMS = [shortMinutes, longMinutes, hoursMinutes];

export function renderRecord(input: RenderInput): RenderedDocument {
  const { rng } = input;
  const forms: DisplayForms = { date: rng.pick(DATE_FORMS), runtime: rng.pick(RUNTIME_FORMS) };
  // The hostile snippet lives in the notes style, so a hostile record always uses it.
  const style = input.hostile ? notes : rng.pick(STYLES);
  return { content: style(input, forms), gold: goldRow(input.film, forms) };
}
