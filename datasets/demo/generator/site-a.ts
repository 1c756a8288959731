// Site A, "Marquee Almanac": a late-1990s template that never got rewritten. Nested layout tables,
// an infobox of <th>Label</th><td>value</td> rows, named entities, a genre menu on the left that
// lists every genre, and a sidebar of other films whose directors, years and ratings are distractors.
import { GENRES, type Film } from './films.ts';
import { longDate, rating, shortMinutes, thousands } from './format.ts';
import { escapeHtml, slug } from './html.ts';
import { goldRow, HOSTILE_IMG, HOSTILE_SCRIPT, type DisplayForms, type RenderedDocument, type RenderInput } from './document.ts';

const FORMS: DisplayForms = { date: longDate, runtime: shortMinutes };
const e = (text: string): string => escapeHtml(text, 'named');
const personLink = (name: string): string => `<a href="/people/${slug(name)}.html">${e(name)}</a>`;

function infoRows({ film, rng }: RenderInput): string[] {
  const rows: [string, string][] = [];
  if (film.director !== null) rows.push(['Director', personLink(film.director)]);
  rows.push(['Writer', personLink(film.writer)]);
  rows.push(['Starring', film.cast.map(personLink).join(', ')]);
  if (film.released !== null) {
    const premiere = rng.chance(0.4) ? ` (${e(film.country)})` : '';
    rows.push(['Release date', `${FORMS.date(film.released)}${premiere}`]);
  }
  if (film.runtimeMinutes !== null) rows.push(['Runtime', FORMS.runtime(film.runtimeMinutes)]);
  if (film.genres !== null) {
    const links = film.genres.map((genre) => `<a href="/genres/${slug(genre)}.html">${e(genre)}</a>`);
    rows.push([film.genres.length > 1 ? 'Genres' : 'Genre', links.join(' / ')]);
  }
  if (film.ratingTenths !== null) {
    rows.push(['User rating', `<b>${rating(film.ratingTenths)}</b>/10 (${thousands(film.votes)} votes)`]);
  } else if (rng.chance(0.5)) {
    rows.push(['User rating', '<i>Not yet rated</i>']);
  }
  rows.push(['Studio', e(film.studio)]);
  rows.push(['Country', e(film.country)]);
  // A quarter of the pages were edited by hand at some point and their rows drifted out of order.
  const ordered = rng.chance(0.25) ? rng.shuffle(rows) : rows;
  return ordered.map(([label, value]) => `<tr><th align="left" bgcolor="#eeeeee">${label}</th><td>${value}</td></tr>`);
}

function sidebar(related: Film[]): string {
  const items = related.map((other) => {
    const by = other.director === null ? '' : `Dir. ${e(other.director)}`;
    const score = other.ratingTenths === null ? '' : ` &middot; ${rating(other.ratingTenths)}/10`;
    return `<tr><td><a href="/films/${slug(other.title)}.html">${e(other.title)}</a> (${other.year})<br>\n<small>${by}${score}</small></td></tr>`;
  });
  return `<b>Also on Marquee Almanac</b>\n<table width="100%" cellpadding="2">\n${items.join('\n')}\n</table>`;
}

export function renderSiteA(input: RenderInput): RenderedDocument {
  const { film, number, related, rng } = input;
  const id = String(number).padStart(3, '0');
  const genreMenu = GENRES.map((genre) => `<a href="/genres/${slug(genre)}.html">${e(genre)}</a><br>`).join('\n');
  const updated = longDate({ year: 2024, month: rng.int(1, 5), day: rng.int(1, 28) });
  const staleNote = film.runtimeMinutes !== null && rng.chance(0.3)
    ? `\n<!-- TODO check runtime: festival cut was ${shortMinutes(film.runtimeMinutes + rng.int(4, 15))} -->`
    : '';
  const visitorNote = input.hostile
    ? `\n<h2>Visitor comments</h2>\n<p class="comment"><b>guest_${id}</b> wrote: best ending of the year!! ${HOSTILE_SCRIPT} ${HOSTILE_IMG}</p>`
    : '';
  const content = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>${e(film.title)} (${film.year}) - Marquee Almanac</title>
<meta name="keywords" content="${e([film.title, ...(film.genres ?? []), 'film', 'movie', 'cast', 'reviews'].join(', '))}">
<link rel="stylesheet" href="/css/almanac.css" type="text/css">
<style type="text/css">
body { font-family: Verdana, Arial, sans-serif; font-size: 12px; }
table.info th { text-align: left; background: #eeeeee; width: 110px; }
.footer { color: #666666; font-size: 10px; }
</style>
<script type="text/javascript">
var mqPage = { kind: "film", id: ${number}, section: "films" };
function popup(u) { window.open(u, "mq", "width=400,height=300"); }
</script>
</head>
<body bgcolor="#ffffff" topmargin="0" leftmargin="0">
<table width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td class="masthead"><a href="/"><img src="/img/logo.gif" alt="Marquee Almanac" border="0" width="300" height="60"></a></td></tr>
<tr><td class="nav" bgcolor="#333366"><a href="/">Home</a> | <a href="/films/">Films</a> | <a href="/people/">People</a> | <a href="/genres/">Genres</a> | <a href="/top100.html">Top 100</a> | <a href="/search.cgi">Search</a></td></tr>
</table>
<table width="100%" cellpadding="6" cellspacing="0" border="0">
<tr>
<td valign="top" width="150" class="leftnav">
<b>Browse by genre</b><br>
${genreMenu}
</td>
<td valign="top">
<!-- BEGIN film record ${id} -->
<h1>${e(film.title)} <font size="-1">(${film.year})</font></h1>
<table class="info" border="1" cellpadding="3" cellspacing="0">
${infoRows(input).join('\n')}
</table>${staleNote}
<h2>Plot summary</h2>
<p>${e(film.synopsis)}</p>${visitorNote}
<!-- END film record -->
</td>
<td valign="top" width="200" class="sidebar" bgcolor="#f4f4f4">
${sidebar(related)}
</td>
</tr>
</table>
<hr noshade size="1">
<p class="footer">&copy; 1998&ndash;2024 Marquee Almanac. Page last updated ${updated}.<br>
<a href="/about.html">About</a> | <a href="/contact.html">Contact</a> | <a href="/privacy.html">Privacy</a></p>
<script type="text/javascript">
document.write('<img src="/cgi-bin/count.pl?p=film-${id}" width="1" height="1">');
</script>
</body>
</html>
`;
  return { content, gold: goldRow(film, FORMS) };
}
