import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchMix } from '../src/pipeline/bench-mix.ts';

const demo = resolve(import.meta.dirname, '../datasets/demo');
const books = resolve(import.meta.dirname, '../../shared/datasets/swde/book/book-booksamillion(2000)');
const hasBooks = existsSync(books);
if (!hasBooks) console.log(`bench-mix.test: ${books} not found (../shared/datasets); the mixed-folder test skips`);

let work: string | undefined;
afterAll(() => (work ? rm(work, { recursive: true, force: true }) : undefined));

describe('a folder mixing the demo\'s three sites with booksamillion pages', () => {
  it.skipIf(!hasBooks)('samples every layout, and each part scores within 3 points of a run over it alone', async () => {
    work = await mkdtemp(join(tmpdir(), 'evaporate-mix-'));
    const { report } = await benchMix({ datasets: [demo, books], perDataset: 200, model: null, workDir: work, resultsDir: work });
    expect(report.parts.map((part) => part.setting)).toEqual(['demo', 'book-booksamillion']);
    for (const site of ['site-a', 'site-b', 'site-c']) expect(report.sample.some((id) => id.startsWith(`demo/${site}/`)), site).toBe(true);
    for (const part of report.parts) {
      expect(part.sampled, part.setting).toBeGreaterThan(0);
      expect(part.mixed.strict - part.separate.strict, part.setting).toBeGreaterThan(-0.03);
      expect(part.mixed.paper - part.separate.paper, part.setting).toBeGreaterThan(-0.03);
    }
    console.log(report.parts.map((part) => `${part.setting}: alone ${part.separate.paper}/${part.separate.strict}, mixed ${part.mixed.paper}/${part.mixed.strict}, ${part.sampled} sampled`).join('; '));
  }, 120_000);
});
