import type { Rng } from './random.ts';

/** The attributes of the gold table, in column order. */
export const ATTRIBUTES = ['title', 'director', 'release_date', 'runtime', 'genres', 'rating'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];
export type GoldValue = string | string[];
/** One gold row: a missing key means the document shows no value for that attribute. */
export type GoldRow = Partial<Record<Attribute, GoldValue>>;

export interface CalendarDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

/**
 * An invented film. The nullable fields are the gold attributes a document may lack; the rest only
 * make pages realistic and supply distractors (other people's names, other dates and numbers).
 */
export interface Film {
  title: string;
  director: string | null;
  released: CalendarDate | null;
  runtimeMinutes: number | null;
  genres: string[] | null;
  /** Score out of 10 in tenths (74 = 7.4), kept integral so formatting never meets float rounding. */
  ratingTenths: number | null;
  /** Year shown next to titles; present even when the full release date is unknown. */
  year: number;
  writer: string;
  cast: string[];
  studio: string;
  country: string;
  language: string;
  votes: number;
  tagline: string;
  synopsis: string;
}

export const GENRES = [
  'Drama', 'Comedy', 'Thriller', 'Horror', 'Documentary', 'Romance', 'Science Fiction', 'Animation',
  'Western', 'Mystery', 'Musical', 'Adventure', 'Crime', 'Fantasy', 'War',
] as const;

// Invented vocabulary: first names mix common and accented forms (to exercise entities),
// surnames are glued from fragments so no real person is named.
const FIRST_NAMES = [
  'Orla', 'Tomasz', 'Renée', 'Ines', 'Joaquín', 'Maren', 'Kofi', 'Zoë', 'Émile', 'Priya', 'Søren',
  'Anaïs', 'Dario', 'Hollis', 'Yuki', 'Beatriz', 'Callum', 'Ilse', 'Marek', 'Noor', 'Odile', 'Rafe',
  'Signe', 'Teodor', 'Wren', 'Ada', 'Lucien', 'Paloma', 'Casimir', 'Fenna', 'Gideon', 'Linnea',
];
const SURNAME_HEADS = [
  'Ven', 'Ash', 'Kor', 'Mal', 'Bram', 'Tess', 'Lind', 'Quill', 'Hav', 'Sel', 'Drev', 'Wick', 'Fen',
  'Gal', 'Thorn', 'Cal', 'Mer', 'Ost', 'Pell', 'Rook',
];
const SURNAME_TAILS = [
  'strom', 'wick', 'ley', 'ard', 'ova', 'enko', 'berg', 'holt', 'mere', 'ski', 'ton', 'ani', 'ault',
  'quist', 'ridge', 'ford', 'elle', 'sen', 'ère', 'añez',
];
const ADJECTIVES = [
  'Glass', 'Quiet', 'Crimson', 'Hollow', 'Northern', 'Paper', 'Silver', 'Last', 'Burning', 'Distant',
  'Velvet', 'Broken', 'Salt', 'Winter', 'Iron', 'Copper', 'Wandering', 'Sleeping', 'Bright', 'Lantern',
];
const NOUNS = [
  'Harbor', 'Orchard', 'Signal', 'Garden', 'River', 'Lighthouse', 'Kingdom', 'Engine', 'Letter',
  'Mirror', 'Tide', 'Station', 'Horizon', 'Archive', 'Meadow', 'Circus', 'Frontier', 'Compass',
  'Bridge', 'Season',
];
const PLACES = ['Kestrel Bay', 'Old Vandry', 'Marrow Hill', 'Port Elsin', 'Calloway', 'Duneholm', 'Saint Orrin'];
const STUDIOS = [
  'Northlight Pictures', 'Halfmoon Films', 'Greyfield Studio', 'Bramble & Fox', 'Tallow Street Pictures',
  'Ninefold Media', 'Cobalt Reel Company',
];
const COUNTRIES = ['Norway', 'France', 'Canada', 'Iceland', 'Chile', 'Japan', 'Ireland', 'Portugal', 'Ghana'];
const LANGUAGES = ['English', 'French', 'Norwegian', 'Spanish', 'Japanese', 'Portuguese', 'Icelandic'];
const ROLES = [
  'retired cartographer', 'night-shift nurse', 'lighthouse keeper', 'failing magician', 'young archivist',
  'ferry captain', 'disgraced chef', 'radio operator', 'travelling piano tuner', 'border guard',
];
const EVENTS = [
  'finds a letter that rewrites the family history',
  'agrees to one last delivery across the mountains',
  'is asked to hide a stranger for the length of a storm',
  'inherits a theatre that nobody has opened since the war',
  'starts receiving radio messages from a station that closed years ago',
  'must win back a village that has stopped speaking to them',
  'takes a job that turns out to be a trap',
];
const TAGLINES = [
  'Some doors only open once.', 'Nobody leaves the island unchanged.', 'Every signal has a sender.',
  'The past keeps better records than we do.', 'Hope travels light.', 'One night. One chance. One lie.',
];

export function personName(rng: Rng): string {
  // Gluing can triple a letter ("Tess" + "sen"); real spelling would not.
  const surname = `${rng.pick(SURNAME_HEADS)}${rng.pick(SURNAME_TAILS)}`.replace(/(.)\1\1/g, '$1$1');
  return `${rng.pick(FIRST_NAMES)} ${surname}`;
}

const withArticle = (noun: string): string => (/^[AEIOU]/.test(noun) ? `An ${noun}` : `A ${noun}`);

function title(rng: Rng): string {
  const adjective = rng.pick(ADJECTIVES);
  const noun = rng.pick(NOUNS);
  switch (rng.int(0, 6)) {
    case 0: return `The ${adjective} ${noun}`;
    case 1: return `${adjective} ${noun}`;
    case 2: return `${noun} & ${rng.pick(NOUNS.filter((other) => other !== noun))}`;
    case 3: return `${withArticle(noun)} for ${rng.pick(FIRST_NAMES)}`;
    case 4: return `${rng.pick(FIRST_NAMES)}'s ${noun}`;
    case 5: return `The ${noun} at ${rng.pick(PLACES)}`;
    default: return `${adjective} ${noun}: Part Two`;
  }
}

function film(rng: Rng, usedTitles: Set<string>): Film {
  let name = title(rng);
  while (usedTitles.has(name)) name = title(rng);
  usedTitles.add(name);
  const year = rng.int(1968, 2023);
  const protagonist = rng.pick(FIRST_NAMES);
  const setting = rng.pick(PLACES);
  return {
    title: name,
    director: rng.chance(0.06) ? null : personName(rng),
    released: rng.chance(0.07) ? null : { year, month: rng.int(1, 12), day: rng.int(1, 28) },
    runtimeMinutes: rng.chance(0.12) ? null : rng.int(78, 178),
    genres: rng.chance(0.06) ? null : rng.sample(GENRES, rng.int(1, 3)),
    ratingTenths: rng.chance(0.18) ? null : rng.int(31, 94),
    year,
    writer: personName(rng),
    cast: Array.from({ length: rng.int(3, 5) }, () => personName(rng)),
    studio: rng.pick(STUDIOS),
    country: rng.pick(COUNTRIES),
    language: rng.pick(LANGUAGES),
    votes: rng.int(12, 48000),
    tagline: rng.pick(TAGLINES),
    synopsis: `${protagonist}, a ${rng.pick(ROLES)} in ${setting}, ${rng.pick(EVENTS)}. ` +
      `Set in ${rng.int(1931, 1999)}, the story follows ${protagonist} over a single ${rng.pick(['summer', 'winter', 'week', 'night'])}.`,
  };
}

/** `count` films with distinct titles. */
export function generateFilms(rng: Rng, count: number): Film[] {
  const used = new Set<string>();
  return Array.from({ length: count }, () => film(rng, used));
}
