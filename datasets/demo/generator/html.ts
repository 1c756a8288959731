/**
 * How a site writes characters outside ASCII: old templates use named entities, some CMSs emit
 * numeric references, modern stacks send raw UTF-8. Markup-significant characters are always escaped.
 */
export type EntityStyle = 'named' | 'numeric' | 'utf8';

const NAMED: Record<string, string> = {
  'é': 'eacute', 'è': 'egrave', 'ë': 'euml', 'É': 'Eacute', 'í': 'iacute', 'ó': 'oacute', 'á': 'aacute',
  'ñ': 'ntilde', 'ø': 'oslash', 'Ø': 'Oslash', 'ï': 'iuml', 'ö': 'ouml', 'ü': 'uuml', 'å': 'aring',
  '·': 'middot', '©': 'copy', '—': 'mdash', '–': 'ndash', '…': 'hellip', '’': 'rsquo', '★': '#9733',
};

export function escapeHtml(text: string, style: EntityStyle): string {
  const markupSafe = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  if (style === 'utf8') return markupSafe;
  return markupSafe.replace(/[^\x00-\x7f]/gu, (char) => {
    const named = NAMED[char];
    if (style === 'named' && named !== undefined) return `&${named};`;
    return `&#${char.codePointAt(0)};`;
  });
}

/** "Renée Vandberg" -> "renee-vandberg", for invented URLs. */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
