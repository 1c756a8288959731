/**
 * A stand-in for a pipeline stage, run as a child process so tests can kill it mid-way:
 * sends `count` distinct prompts through the model client and writes the answers, in order, to
 * `outFile`. Prompts are `item 0`, `item 1`, ... Import only its type: importing runs it. Usage: node --no-node-snapshot test/support/model-run.ts '<json ModelRunArgs>'
 */
import { writeFile } from 'node:fs/promises';
import { createModelClient } from '../../src/model/index.ts';

export interface ModelRunArgs {
  url: string;
  cacheDir: string;
  outFile: string;
  count: number;
  concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ModelRunArgs;
const client = createModelClient(
  { model: 'loopback-model', baseURL: args.url, concurrency: args.concurrency, retryBaseDelayMs: 5 },
  { cacheDir: args.cacheDir },
);
const outcomes = await Promise.all(
  Array.from({ length: args.count }, (_, i) => client.chat('run', { messages: [{ role: 'user', content: `item ${i}` }], temperature: 0 })),
);
const answers = outcomes.map((o) => (o.ok ? o.content : `FAILED: ${o.error}`));
await writeFile(args.outFile, JSON.stringify({ answers, usage: client.usage().total }));
