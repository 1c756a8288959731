/**
 * Manifests of known benchmarks (datasets/manifests/*.json): where users get each one, how it is
 * laid out on disk once prepared, and what it contains, so `evaporate bench` can name them and a
 * user can tell which folder to point it at.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const setting = z.object({
  /** Setting name as the loader reports it (`fda_510ks`, `book-booksamillion`). */
  name: z.string().min(1),
  /** Folder of the setting relative to the downloaded dataset's root. */
  path: z.string().min(1),
  /** Number of documents, when known. */
  documents: z.number().int().positive().nullable(),
  /** Gold attribute names; null when they are only known from the gold file itself. */
  attributes: z.array(z.string().min(1)).nullable(),
  notes: z.string().optional(),
});

export const benchmarkManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  description: z.string().min(1),
  /** The layout `loadBenchmark` sees once the dataset is downloaded (and, if needed, converted). */
  layout: z.enum(['evaporate', 'evaporate-tar', 'swde']),
  task: z.enum(['closed-ie', 'open-ie', 'closed-and-open-ie']),
  source: z.object({
    homepage: z.string().min(1),
    citation: z.string().min(1),
    license: z.string().min(1),
  }),
  /** Steps to obtain the data and make it loadable; plain sentences or commands. */
  download: z.array(z.string().min(1)).min(1),
  /** Where scores from the literature come from, and what they are, for comparison in reports. */
  published: z
    .array(z.object({ setting: z.string(), metric: z.string(), method: z.string(), value: z.number(), source: z.string() }))
    .optional(),
  settings: z.array(setting).min(1),
  notes: z.array(z.string()).optional(),
});

export type BenchmarkManifest = z.infer<typeof benchmarkManifestSchema>;

/** The manifests shipped with the project. */
export const MANIFEST_DIR = path.resolve(import.meta.dirname, '../../datasets/manifests');

/** Reads and validates every `*.json` manifest in `dir`; an invalid one is an error naming the file and field. */
export async function readManifests(dir: string = MANIFEST_DIR): Promise<BenchmarkManifest[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const manifests: BenchmarkManifest[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = benchmarkManifestSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`${file}: not a valid benchmark manifest:\n${z.prettifyError(parsed.error)}`);
    manifests.push(parsed.data);
  }
  return manifests;
}
