import { describe, expect, it } from 'vitest';
import { buildView, type CorpusDocument } from '../src/corpus/index.ts';
import { discoverAttributesBuiltin, normalizeKey } from '../src/schema/builtin.ts';

function doc(id: string, content: string, format: 'html' | 'text'): CorpusDocument {
  const view = buildView(content, format);
  return { id, path: '', format, bytes: view.length, view };
}

// Invented plant-nursery pages: a spec table, a dl, microdata, meta, JSON-LD, and site chrome.
function plantPage(i: number, name: string, family: string, height: string, withBloom: boolean): CorpusDocument {
  return doc(
    `plant-${i}.html`,
    `<html><head><title>${name} - Green Acre Nursery</title><meta name="viewport" content="width=device-width">
<meta property="og:url" content="https://nursery.example/${i}"><meta property="product:price:amount" content="${10 + i}.00">
<script type="application/ld+json">{"@type":"Product","sku":"P-${i}00","brand":{"@type":"Brand","name":"${['Tulip & Co', 'Fernhill'][i % 2]}"}}</script></head>
<body><div class="menu"><span class="label">Menu</span></div><div>Shop</div>
<h1>${name}</h1>
<table><tr><th>Family</th><td>${family}</td></tr><tr><th>Mature height</th><td>${height}</td></tr></table>
${withBloom ? `<dl><dt>Bloom season</dt><dd>${['Spring', 'Summer', 'Autumn'][i % 3]}</dd></dl>` : ''}
<p>Sunlight: ${i % 2 ? 'Full sun' : 'Partial shade'}</p>
<span itemprop="color">${['Red', 'White', 'Blue', 'Pink'][i % 4]}</span>
<footer><p>Store: Green Acre Nursery</p></footer></body></html>`,
    'html',
  );
}

describe('discoverAttributesBuiltin', () => {
  const pages = [
    plantPage(1, 'Hill Rose', 'Rosaceae', '1.5 m', true),
    plantPage(2, 'Marsh Iris', 'Iridaceae', '80 cm', true),
    plantPage(3, 'Sea Holly', 'Apiaceae', '60 cm', false),
    plantPage(4, 'Blue Sage', 'Lamiaceae', '1 m', true),
  ];

  it('finds recurring keys from table headers, dt, Label: lines, itemprop, meta and JSON-LD, ranked by frequency', () => {
    const found = discoverAttributesBuiltin(pages);
    const names = found.map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining(['title', 'family', 'mature_height', 'bloom_season', 'sunlight', 'color', 'amount', 'sku', 'brand']),
    );
    const byName = new Map(found.map((a) => [a.name, a]));
    expect(byName.get('family')).toEqual({ name: 'family', frequency: 4, examples: ['Rosaceae', 'Iridaceae', 'Apiaceae'] });
    expect(byName.get('bloom_season')?.frequency).toBe(3);
    expect(byName.get('title')?.examples[0]).toBe('Hill Rose');
    // Most widespread first.
    const frequencies = found.map((a) => a.frequency);
    expect(frequencies).toEqual([...frequencies].sort((a, b) => b - a));
    expect(names.indexOf('family')).toBeLessThan(names.indexOf('bloom_season'));
  });

  it('leaves out page plumbing, labels without a value and keys whose value never changes', () => {
    const names = discoverAttributesBuiltin(pages).map((a) => a.name);
    expect(names).not.toContain('viewport');
    expect(names).not.toContain('url');
    expect(names).not.toContain('menu');
    expect(names).not.toContain('store');
  });

  it('reads Key: value lines in text documents and honours max', () => {
    const records = ['Alder', 'Birch', 'Cedar'].map((tree, i) =>
      doc(`r${i}.txt`, `TREE RECORD\nCommon name: ${tree}\nPlanted: 19${70 + i}\nHeight (m): ${10 + i}\nas follows:\nThe tree stands by the gate.`, 'text'),
    );
    const found = discoverAttributesBuiltin(records, { max: 2 });
    expect(found.map((a) => a.name)).toEqual(['common_name', 'planted']);
    expect(found[0]!.examples).toEqual(['Alder', 'Birch', 'Cedar']);
    expect(() => discoverAttributesBuiltin(records, { max: 0 })).toThrow(/max/);
    expect(discoverAttributesBuiltin([])).toEqual([]);
  });

  it('normalizes labels to snake_case and rejects clauses', () => {
    expect(normalizeKey('Release Date:')).toBe('release_date');
    expect(normalizeKey('datePublished')).toBe('date_published');
    expect(normalizeKey('Height (m)')).toBe('height_m');
    expect(normalizeKey('Dear Sir,')).toBeNull();
    expect(normalizeKey('by')).toBeNull();
    expect(normalizeKey('the party of the first part hereto')).toBeNull();
  });
});
