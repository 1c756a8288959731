// Site B, "Lanternreel": an HTML5 community site. schema.org microdata (itemprop) on the facts, Open
// Graph meta tags in the head, a <dl> of facts plus a "Label: value" strip of spans, numeric
// character references, and member reviews whose ISO dates share the release date's format.
import { personName, type Film } from './films.ts';
import { hoursMinutes, isoDate, isoDuration, rating } from './format.ts';
import { escapeHtml, slug } from './html.ts';
import { goldRow, type DisplayForms, type RenderedDocument, type RenderInput } from './document.ts';

const FORMS: DisplayForms = { date: isoDate, runtime: hoursMinutes };
const SITE = 'https://lanternreel.example';
const e = (text: string): string => escapeHtml(text, 'numeric');
const person = (name: string, prop: string): string =>
  `<span itemprop="${prop}" itemscope itemtype="https://schema.org/Person"><a itemprop="url" href="/people/${slug(name)}"><span itemprop="name">${e(name)}</span></a></span>`;

function quickFacts(film: Film): string {
  const facts: string[] = [];
  if (film.runtimeMinutes !== null) {
    facts.push(`<span class="qf"><span class="k">Runtime:</span> <meta itemprop="duration" content="${isoDuration(film.runtimeMinutes)}"><span class="v">${FORMS.runtime(film.runtimeMinutes)}</span></span>`);
  }
  facts.push(`<span class="qf"><span class="k">Language:</span> <span class="v" itemprop="inLanguage">${e(film.language)}</span></span>`);
  if (film.ratingTenths !== null) {
    facts.push(`<span class="qf"><span class="k">Rating:</span> <span class="v" itemprop="aggregateRating" itemscope itemtype="https://schema.org/AggregateRating"><span itemprop="ratingValue">${rating(film.ratingTenths)}</span>/<span itemprop="bestRating">10</span> from <span itemprop="ratingCount">${film.votes}</span> members</span></span>`);
  }
  return `<div class="quick-facts">\n${facts.join('\n<span class="sep" aria-hidden="true">|</span>\n')}\n</div>`;
}

function factList({ film, rng }: RenderInput): string {
  const entries: [string, string][] = [];
  if (film.director !== null) entries.push([rng.pick(['Director', 'Directed by']), person(film.director, 'director')]);
  if (film.released !== null) {
    const iso = isoDate(film.released);
    entries.push([rng.pick(['Release date', 'Released']), `<time itemprop="datePublished" datetime="${iso}">${FORMS.date(film.released)}</time>`]);
  }
  if (film.genres !== null) {
    entries.push(['Genres', film.genres.map((genre) => `<a href="/genre/${slug(genre)}" itemprop="genre">${e(genre)}</a>`).join(', ')]);
  }
  entries.push(['Cast', film.cast.map((name) => person(name, 'actor')).join(', ')]);
  entries.push(['Screenplay', person(film.writer, 'author')]);
  entries.push(['Studio', `<span itemprop="productionCompany">${e(film.studio)}</span>`]);
  const ordered = rng.chance(0.3) ? rng.shuffle(entries) : entries;
  return `<dl class="facts">\n${ordered.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('\n')}\n</dl>`;
}

function reviews({ film, related, rng }: RenderInput): string {
  const count = rng.int(0, 3);
  if (count === 0) return '<section class="reviews"><h2>Member reviews</h2><p class="empty">No reviews yet.</p></section>';
  const items = Array.from({ length: count }, () => {
    const when = isoDate({ year: rng.int(Math.max(film.year, 2009), 2024), month: rng.int(1, 12), day: rng.int(1, 28) });
    const other = rng.pick(related);
    const text = rng.pick([
      `Slow start, but the last act is worth it.`,
      `Better than ${other.title}, and that is saying something.`,
      `Watched it twice. ${rng.pick(film.cast)} steals every scene.`,
      `Not for me, but I see why people love it.`,
    ]);
    return `<div class="review"><span class="who">${e(personName(rng))}</span> <time datetime="${when}">${when}</time>\n<p>${e(text)}</p></div>`;
  });
  return `<section class="reviews"><h2>Member reviews</h2>\n${items.join('\n')}\n</section>`;
}

function moreLikeThis(related: Film[]): string {
  const items = related.map((other) => {
    const by = other.director === null ? '' : ` &#183; dir. ${e(other.director)}`;
    return `<li><a href="/film/${slug(other.title)}">${e(other.title)}</a> <span class="year">${other.year}</span>${by}</li>`;
  });
  return `<aside class="more-like-this"><h2>More like this</h2>\n<ul>\n${items.join('\n')}\n</ul>\n</aside>`;
}

export function renderSiteB(input: RenderInput): RenderedDocument {
  const { film, number } = input;
  const url = `${SITE}/film/${slug(film.title)}`;
  const ogDate = film.released === null ? '' : `\n<meta property="video:release_date" content="${isoDate(film.released)}">`;
  const ogDirector = film.director === null ? '' : `\n<meta property="video:director" content="${SITE}/people/${slug(film.director)}">`;
  const content = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(film.title)} &#8212; Lanternreel</title>
<meta name="description" content="${e(film.synopsis)}">
<meta property="og:site_name" content="Lanternreel">
<meta property="og:type" content="video.movie">
<meta property="og:title" content="${e(film.title)}">
<meta property="og:url" content="${url}">
<meta property="og:image" content="${SITE}/posters/${number}.jpg">
<meta property="og:description" content="${e(film.synopsis)}">${ogDate}${ogDirector}
<link rel="canonical" href="${url}">
<link rel="stylesheet" href="/static/site.css">
<style>
.quick-facts .k { font-weight: 600; }
dl.facts { display: grid; grid-template-columns: 10em 1fr; }
</style>
</head>
<body class="page-film">
<header class="site-header">
<a class="brand" href="/">Lanternreel</a>
<nav><ul><li><a href="/films">Films</a></li><li><a href="/lists">Lists</a></li><li><a href="/reviews">Reviews</a></li><li><a href="/members">Members</a></li></ul></nav>
<form class="search" action="/search"><input type="search" name="q" placeholder="Search films, people&#8230;"></form>
</header>
<main>
<article class="film" itemscope itemtype="https://schema.org/Movie">
<h1 itemprop="name">${e(film.title)}</h1>
<p class="tagline">${e(film.tagline)}</p>
${quickFacts(film)}
${factList(input)}
<section class="synopsis"><h2>Synopsis</h2>
<p itemprop="description">${e(film.synopsis)}</p>
</section>
</article>
${reviews(input)}
${moreLikeThis(input.related)}
</main>
<footer class="site-footer">
<p>Lanternreel is run by volunteers. Data is contributed by members and may be incomplete.</p>
<p><a href="/about">About</a> &#183; <a href="/api">API</a> &#183; <a href="/terms">Terms</a></p>
</footer>
<script>
window.dataLayer = window.dataLayer || [];
dataLayer.push({ event: "page_view", page_type: "film", film_id: ${number} });
</script>
</body>
</html>
`;
  return { content, gold: goldRow(film, FORMS) };
}
