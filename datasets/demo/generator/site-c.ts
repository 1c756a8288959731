// Site C, "Flickerbox": a client-rendered app's server output. Div soup with hashed class names,
// facts whose labels change from page to page ("Directed by", "Length", "Premiered"), names split
// across nested spans, month-first numeric dates, JSON-LD and a hydration blob in scripts, a genre
// mega-menu, a cookie banner and a carousel of other films.
import { GENRES, type Film } from './films.ts';
import { isoDate, isoDuration, longMinutes, rating, usNumericDate } from './format.ts';
import { escapeHtml, slug } from './html.ts';
import { goldRow, HOSTILE_IMG, HOSTILE_SCRIPT, type DisplayForms, type RenderedDocument, type RenderInput } from './document.ts';

const FORMS: DisplayForms = { date: usNumericDate, runtime: longMinutes };
const e = (text: string): string => escapeHtml(text, 'utf8');
// Inside <script>, "</" would end the element early; JSON allows "<\/".
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/<\//g, '<\\/');

const LABELS = {
  director: ['Directed by', 'Director', 'Filmmaker'],
  released: ['Release date', 'Premiered', 'Released'],
  runtime: ['Runtime', 'Length', 'Running time'],
  genres: ['Genres', 'Categories', 'Tags'],
  rating: ['Audience score', 'Rating', 'Score'],
} as const;

/** Splits a name into nested spans, the way component libraries render "first" and "last". */
function nameSpans(name: string): string {
  const [first, ...rest] = name.split(' ');
  return `<a class="PersonLink_root__j1Kd" href="/person/${slug(name)}"><span class="PersonLink_name__p0Xa"><span class="PersonLink_first__k2Lm">${e(first ?? '')}</span> <span class="PersonLink_last__l3Qr">${e(rest.join(' '))}</span></span></a>`;
}

function facts({ film, rng }: RenderInput): string {
  const items: [string, string][] = [];
  if (film.director !== null) items.push([rng.pick(LABELS.director), nameSpans(film.director)]);
  if (film.released !== null) items.push([rng.pick(LABELS.released), `<span class="css-1d3bbye"><span>${FORMS.date(film.released)}</span></span>`]);
  if (film.runtimeMinutes !== null) {
    items.push([rng.pick(LABELS.runtime), `<span class="Duration_root__x9"><span class="Duration_num__a1">${film.runtimeMinutes}</span> <span class="Duration_unit__b2">minutes</span></span>`]);
  }
  if (film.genres !== null) {
    const chips = film.genres.map((genre) => `<li class="Chip_root__q8Zt"><a href="/genre/${slug(genre)}"><span class="Chip_label__w1">${e(genre)}</span></a></li>`);
    items.push([rng.pick(LABELS.genres), `<ul class="Chips_list__z7Yt">${chips.join('')}</ul>`]);
  }
  if (film.ratingTenths !== null) {
    items.push([rng.pick(LABELS.rating), `<div class="Score_root__m4"><span class="Score_star__n5" aria-hidden="true">★</span><span class="Score_value__o6">${rating(film.ratingTenths)}</span><span class="Score_max__p7">/10</span></div>`]);
  }
  items.push(['Language', `<span>${e(film.language)}</span>`]);
  items.push(['Production', `<span>${e(film.studio)}</span>`]);
  const ordered = rng.chance(0.3) ? rng.shuffle(items) : items;
  return ordered
    .map(([label, value]) => `<div class="Facts_item__g7Hk"><div class="Facts_label__h8Js">${label}</div><div class="Facts_value__i9Pq">${value}</div></div>`)
    .join('');
}

function castRow(film: Film): string {
  return film.cast.map((name) => `<div class="CastCard_root__c1"><div class="CastCard_avatar__c2"></div>${nameSpans(name)}<div class="CastCard_role__c3">Actor</div></div>`).join('');
}

function carousel(related: Film[]): string {
  const cards = related.map((other) => {
    const sub = [String(other.year), ...(other.genres ?? []).slice(0, 1)].map(e).join(' · ');
    const score = other.ratingTenths === null ? '' : `<div class="Card_score__k4">★ ${rating(other.ratingTenths)}</div>`;
    return `<div class="Card_root__k1"><a href="/movie/${slug(other.title)}"><img src="/img/p/${slug(other.title)}.webp" alt="${e(other.title)} poster" loading="lazy"><div class="Card_title__k2">${e(other.title)}</div></a><div class="Card_sub__k3">${sub}</div>${score}</div>`;
  });
  return `<section class="Carousel_root__r1"><h2 class="Carousel_heading__r2">You might also like</h2><div class="Carousel_track__r3">${cards.join('')}</div></section>`;
}

function jsonLd(film: Film): string {
  const data: Record<string, unknown> = { '@context': 'https://schema.org', '@type': 'Movie', name: film.title };
  if (film.director !== null) data.director = { '@type': 'Person', name: film.director };
  if (film.released !== null) data.datePublished = isoDate(film.released);
  if (film.runtimeMinutes !== null) data.duration = isoDuration(film.runtimeMinutes);
  if (film.genres !== null) data.genre = film.genres;
  if (film.ratingTenths !== null) {
    data.aggregateRating = { '@type': 'AggregateRating', ratingValue: film.ratingTenths / 10, bestRating: 10, ratingCount: film.votes };
  }
  return scriptJson(data);
}

function hydration({ film, number, related }: RenderInput): string {
  return scriptJson({
    props: { pageProps: { movieId: number, slug: slug(film.title), related: related.map((other) => ({ title: other.title, year: other.year, director: other.director })) } },
    page: '/movie/[slug]',
    buildId: 'fbx-7f3a91',
  });
}

function comments(input: RenderInput): string {
  if (!input.hostile) return '';
  return `<section class="Comments_root__u1"><h2>Comments</h2><div class="Comment_root__u2"><div class="Comment_author__u3">popcorn_fan</div><div class="Comment_body__u4">Great film! ${HOSTILE_IMG}${HOSTILE_SCRIPT}</div></div></section>`;
}

export function renderSiteC(input: RenderInput): RenderedDocument {
  const { film, number, related } = input;
  const menu = GENRES.map((genre) => `<a class="MegaMenu_link__v2" href="/genre/${slug(genre)}">${e(genre)}</a>`).join('');
  const heroMeta = [String(film.year), ...(film.genres ?? []).slice(0, 1)].map(e).join('<span class="Hero_dot__e6">·</span>');
  const content = `<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width"/><title>${e(film.title)} (${film.year}) | Flickerbox</title><meta name="robots" content="index,follow"/><meta name="description" content="Watch the trailer, read reviews and find where to stream ${e(film.title)}."/><link rel="preload" href="/_next/static/css/a81f.css" as="style"/>
<script type="application/ld+json">${jsonLd(film)}</script>
<style data-emotion="css 1d3bbye">.css-1d3bbye{display:inline-flex;gap:4px;}.Facts_item__g7Hk{display:flex;justify-content:space-between;}</style>
<script>(function(w){w.__fbx={t:Date.now(),id:${number}};})(window);</script>
</head><body><div id="__next"><div class="Layout_root__x1Qz"><header class="Header_bar__9fPq"><div class="Header_logo__2kAs"><a href="/">Flickerbox</a></div><nav class="Header_nav__7dLk"><a href="/movies">Movies</a><a href="/tv">TV</a><div class="MegaMenu_root__v1"><span>Genres</span><div class="MegaMenu_panel__v3">${menu}</div></div><a href="/new">New &amp; Noteworthy</a></nav><button class="Header_signin__8s">Sign in</button></header>
<div class="CookieBanner_root__y1" role="dialog"><p>We use cookies to personalise content. <a href="/privacy">Learn more</a></p><button>Accept all</button></div>
<!-- movie page: ${slug(film.title)} -->
<main class="MoviePage_main__3rTy"><div class="Hero_wrap__a1Bc"><div class="Hero_poster__f0"><img src="/img/p/${slug(film.title)}.webp" alt="${e(film.title)} poster"/></div><div class="Hero_titleBlock__b2Cd"><h1 class="Hero_title__c3De"><span class="Hero_titleText__d4Ef">${e(film.title)}</span></h1><div class="Hero_meta__e5Fg">${heroMeta}</div><p class="Hero_tagline__t1">${e(film.tagline)}</p></div></div>
<div class="MoviePage_body__s1"><div class="Facts_grid__f6Gh">${facts(input)}</div><div class="Overview_root__o1"><h2>Overview</h2><div class="Overview_text__o2"><p>${e(film.synopsis)}</p></div></div><div class="Cast_row__c0"><h2>Top cast</h2>${castRow(film)}</div>${comments(input)}</div>
${carousel(related)}</main>
<footer class="Footer_root__z1"><div class="Footer_cols__z2"><div><a href="/about">About Flickerbox</a><a href="/jobs">Jobs</a></div><div><a href="/help">Help</a><a href="/api">Developers</a></div></div><div class="Footer_legal__z3">© 2024 Flickerbox Media. All rights reserved.</div></footer></div></div>
<script id="__NEXT_DATA__" type="application/json">${hydration(input)}</script>
<script src="/_next/static/chunks/main-4c1e.js" async=""></script></body></html>
`;
  return { content, gold: goldRow(film, FORMS) };
}
