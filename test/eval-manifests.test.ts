import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBenchmark, readManifests } from '../src/eval/index.ts';

const datasets = path.resolve(import.meta.dirname, '../../shared/datasets');

describe('benchmark manifests', () => {
  it('are all valid and cover the known benchmarks', async () => {
    const manifests = await readManifests();
    expect(manifests.map((m) => m.id)).toEqual(['evaporate', 'kleister-nda', 'sroie', 'swde']);
    const evaporate = manifests.find((m) => m.id === 'evaporate')!;
    expect(evaporate.settings).toHaveLength(16);
    expect(evaporate.settings.map((s) => s.name)).toEqual(expect.arrayContaining(['fda_510ks', 'enron', 'wiki_nba_players', 'swde_movie_imdb', 'swde_university_usnews']));
    const swde = manifests.find((m) => m.id === 'swde')!;
    expect(swde.settings).toHaveLength(80);
    expect(new Set(swde.settings.map((s) => s.name.split('-')[0]))).toEqual(
      new Set(['auto', 'book', 'camera', 'job', 'movie', 'nbaplayer', 'restaurant', 'university']),
    );
  });

  it('rejects an invalid manifest, naming the file and the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'manifests-'));
    try {
      await writeFile(path.join(dir, 'broken.json'), JSON.stringify({ id: 'broken', title: 'x' }));
      await expect(readManifests(dir)).rejects.toThrow(/broken\.json: not a valid benchmark manifest:[\s\S]*description/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const present = existsSync(datasets);
  if (!present) console.warn(`eval-manifests: ${datasets} is absent, so manifests are not checked against real copies`);

  it.skipIf(!present)('agree with the copies in ../shared/datasets on layout, documents and attributes', async () => {
    const manifests = await readManifests();
    const copies: [string, string, string][] = [
      ['kleister-nda', 'kleister-nda-train', 'kleister-nda-train'],
      ['sroie', 'sroie-receipts', 'sroie-receipts'],
      ['swde', 'book-booksamillion', 'swde/book/book-booksamillion(2000)'],
    ];
    for (const [id, settingName, folder] of copies) {
      const manifest = manifests.find((m) => m.id === id)!;
      const described = manifest.settings.find((s) => s.name === settingName)!;
      const [loaded] = await loadBenchmark(path.join(datasets, folder));
      expect(loaded!.layout).toBe(manifest.layout);
      expect(loaded!.name).toBe(described.name);
      expect(loaded!.gold!.rows.size).toBe(described.documents);
      expect([...loaded!.attributes].sort()).toEqual([...described.attributes!].sort());
    }
  });
});
