/**
 * Update benchmark (issue 17, item 4): a run on 90% of a folder brought up to date with the other 10% by
 * `--update`, against a full extract of the whole folder, side by side in one run (rounds interleaved; medians).
 * Built-in synthesizer, so no model is involved either way.
 *
 *   node --no-node-snapshot eval/bench-update.ts [--folder F] [--attributes a,b] [--rounds n]
 */
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { extract } from '../src/api/extract.ts';
import { update } from '../src/api/update.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    folder: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/swde/book/book-booksamillion(2000)') },
    attributes: { type: 'string', default: 'title,author,isbn_13,publisher,publication_date' },
    rounds: { type: 'string', default: '3' },
  },
});
const attributes = args.attributes.split(',');
const work = await mkdtemp(path.join(os.tmpdir(), 'evaporate-bench-update-'));
const files = (await readdir(args.folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(args.folder, path.join(e.parentPath, e.name))).sort();
const later = new Set(files.filter((_, i) => i % 10 === 9)); // every tenth file arrives later
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const full: number[] = [];
const updates: number[] = [];
for (let round = 0; round < Number(args.rounds); round++) {
  const folder = path.join(work, `docs-${round}`);
  for (const file of files.filter((f) => !later.has(f))) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await cp(path.join(args.folder, file), path.join(folder, file));
  }
  await extract({ documents: folder, attributes, model: null, runDir: path.join(work, `run-${round}`), report: false });
  for (const file of later) await cp(path.join(args.folder, file), path.join(folder, file));
  let started = performance.now();
  const result = await update({ documents: folder, runDir: path.join(work, `run-${round}`), report: false });
  updates.push((performance.now() - started) / 1000);
  started = performance.now();
  await extract({ documents: folder, attributes, model: null, runDir: path.join(work, `full-${round}`), report: false });
  full.push((performance.now() - started) / 1000);
  console.log(`round ${round + 1}: update ${updates.at(-1)!.toFixed(2)} s (${result.added} new, ${result.unchanged} unchanged), full extract ${full.at(-1)!.toFixed(2)} s`);
}
await rm(work, { recursive: true, force: true });
const lines = [
  '# Update benchmark (issue 17, item 4)',
  '',
  `Command: \`node --no-node-snapshot eval/bench-update.ts --rounds ${args.rounds}\` (${process.version}, ${os.availableParallelism()} cores, ${new Date().toISOString().slice(0, 10)}).`,
  `Folder: ${path.basename(args.folder)} (${files.length} documents); a run on 90% of it (every tenth file held back), then the held-back ${later.size} added and the run updated with \`--update\`, against a full \`extract\` of the whole folder; built-in synthesizer, attributes ${attributes.join(', ')}. Reports off.`,
  '',
  '| | median s | per round s |',
  '|---|---:|---|',
  `| update (10% new) | ${median(updates).toFixed(2)} | ${updates.map((s) => s.toFixed(2)).join(', ')} |`,
  `| full extract | ${median(full).toFixed(2)} | ${full.map((s) => s.toFixed(2)).join(', ')} |`,
  '',
  `Update / full: ${(median(updates) / median(full)).toFixed(2)}x (goal < 0.3x). The update reads and hashes every file (to find what changed), runs the program on the new ones and rewrites the table; it asks no model and fits nothing.`,
];
console.log(lines.join('\n'));
await writeFile(path.join(repoRoot, 'eval/results/update.md'), `${lines.join('\n')}\n`);
