// Views are cleaned fragments (no html/head/body), but model-written code expects a browser's document
// (`$('body')`, `$('head title')`), as parsers that follow the HTML standard build. So `$` parses the view inside
// the html/head/body a browser would add: its leading title/meta/base/JSON-LD lines in the head, the rest in the body.
const headLine = /^<(?:title|meta|base|script type="application\/ld\+json")[\s>]/;

/** The view as a whole HTML document, for `$` (the view itself, which functions get as `doc`, is unchanged). */
export function asDocument(view: string): string {
  if (/<body[\s>]/i.test(view)) return view; // already a whole document
  let bodyStart = 0;
  while (bodyStart < view.length) {
    const end = view.indexOf('\n', bodyStart);
    const line = view.slice(bodyStart, end < 0 ? view.length : end);
    if (!headLine.test(line)) break;
    bodyStart = end < 0 ? view.length : end + 1;
  }
  return `<html><head>${view.slice(0, bodyStart)}</head><body>${view.slice(bodyStart)}</body></html>`;
}
