import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateFiles, readPredictedTable } from '../src/eval/index.ts';
import { answerBatchFile } from './support/batch-answerer.ts';
import { startLoopbackServer, type LoopbackServer } from './support/loopback-server.ts';
import { loadDemoModel, type DemoModel } from './support/scripted-model.ts';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/evaporate.js');
const demo = join(root, 'datasets/demo');
const docs = join(demo, 'docs');
const attributes = 'title,director,release_date,runtime,genres,rating';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI as a user would; `until` may kill it midway. Model settings come only from flags here. */
function cli(args: string[], options: { cwd?: string; env?: Record<string, string>; until?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((done) => {
    const env = { ...process.env, EVAPORATE_MODEL: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '', ...options.env };
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    options.until?.(child);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let work: string;
let model: DemoModel;
let server: LoopbackServer;
const modelFlags = () => ['--model', 'scripted', '--base-url', server.url];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaporate-cli-'));
  model = await loadDemoModel(demo);
  server = await startLoopbackServer(model.handler, { models: ['scripted'] });
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('evaporate extract', () => {
  it('runs with no model configured, says so, and writes the table (README quickstart)', async () => {
    const out = join(work, 'quick.csv');
    const run = await cli(['extract', 'datasets/demo/docs', '--out', out, '--run-dir', join(work, 'quick'), '--attributes', attributes]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('No model configured: running the built-in synthesizer');
    expect(run.stdout).toMatch(/Extracted 80 rows x 6 attributes .*functions by built-in rules/);
    expect(run.stdout).toMatch(/title\s+\d+%/);
    const table = await readPredictedTable(out);
    expect(table.size).toBe(80);
  });

  it('discovers attributes when none are given (open IE) and writes each output format', async () => {
    for (const format of ['jsonl', 'json', 'csv']) {
      const out = join(work, `open.${format}`);
      const run = await cli(['extract', docs, '--out', out, '--run-dir', join(work, `open-${format}`), '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      const table = await readPredictedTable(out);
      expect(table.size).toBe(80);
      const schema = JSON.parse(await readFile(join(work, `open-${format}`, 'schema.json'), 'utf8'));
      expect(schema.length).toBeGreaterThan(2);
    }
    const json = JSON.parse(await readFile(join(work, 'open.json'), 'utf8'));
    expect(Array.isArray(json)).toBe(true);
    expect(Object.keys(json[0])[0]).toBe('doc');
  }, 120_000);

  it('uses a model endpoint when given one, and prints usage', async () => {
    const out = join(work, 'model.csv');
    const run = await cli(['extract', docs, '--attributes', attributes, '--out', out, '--run-dir', join(work, 'model-run'), ...modelFlags()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/functions by the model \+ built-in rules\)/);
    expect(run.stdout).toMatch(/Model: \d+ calls \(\d+ live/);
    const { report } = await evaluateFiles(out, demo);
    expect(report.averageF1).toBeGreaterThan(0.6);
  });

  it('emits JSON lines with --json', async () => {
    const run = await cli(['extract', docs, '--attributes', 'title', '--run-dir', join(work, 'json-run'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((line) => line.type === 'stage' && line.stage === 'apply' && line.status === 'done')).toBe(true);
    expect(lines.at(-1).type).toBe('result');
    expect(lines.at(-1).rows).toBe(80);
  });

  it('resumes after a kill without repeating a model request, and gives the same table', async () => {
    const slow = await startLoopbackServer(model.handler, { models: ['scripted'], latencyMs: 40 });
    try {
      const args = (runDir: string) => ['extract', docs, '--attributes', attributes, '--run-dir', runDir, '--model', 'scripted', '--base-url', slow.url, '--concurrency', '2', '--quiet'];
      const whole = await cli(args(join(work, 'whole')));
      expect(whole.code, whole.stderr).toBe(0);
      const uninterrupted = slow.stats.completed;
      const before = slow.stats.completed;
      const killed = await cli(args(join(work, 'killed')), {
        until: (child) => {
          const timer = setInterval(() => {
            if (slow.stats.completed - before >= 25) {
              clearInterval(timer);
              child.kill('SIGKILL');
            }
          }, 5);
          child.on('close', () => clearInterval(timer));
        },
      });
      expect(killed.code).toBeNull();
      const beforeResume = slow.stats.completed;
      const resumed = await cli(['extract', '--resume', join(work, 'killed'), '--base-url', slow.url, '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const sentAcrossKill = slow.stats.completed - before;
      // The killed run's answered calls are cached; at most the calls in flight at the kill (2, the concurrency) and
      // answers received but not yet on disk (a slot is freed when the answer arrives: 2 more) are sent twice.
      expect(sentAcrossKill).toBeLessThanOrEqual(uninterrupted + 4);
      expect(slow.stats.completed - beforeResume).toBeLessThan(uninterrupted);
      // What the killed process paid for is in usage.json too: every answer but those in flight or unsaved at the kill.
      const usage = JSON.parse(await readFile(join(work, 'killed', 'usage.json'), 'utf8'));
      expect(usage.total.liveCalls).toBeGreaterThanOrEqual(sentAcrossKill - 4);
      expect(usage.total.liveCalls).toBeLessThanOrEqual(sentAcrossKill);
      expect(await readFile(join(work, 'killed', 'table.csv'), 'utf8')).toBe(await readFile(join(work, 'whole', 'table.csv'), 'utf8'));
    } finally {
      await slow.close();
    }
  }, 120_000);

  it('exits non-zero, saying so, when every model request failed, unless --fallback accepts the table', async () => {
    const dead = await startLoopbackServer(() => ({ status: 502, message: 'bad gateway' }), { models: ['scripted'] });
    try {
      const args = (runDir: string, ...extra: string[]) => ['extract', docs, '--attributes', 'title', '--run-dir', runDir, '--model', 'scripted', '--base-url', dead.url, '--retries', '0', '--quiet', ...extra];
      const failed = await cli(args(join(work, 'all-failed')));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/every model request failed \(\d+\); the table was made without the model/);
      const accepted = await cli(args(join(work, 'all-failed-ok'), '--fallback'));
      expect(accepted.code, accepted.stderr).toBe(0);
    } finally {
      await dead.close();
    }
  }, 60_000);

  it('stops cleanly on Ctrl-C (SIGINT) with exit code 130, and the run resumes', async () => {
    const slow = await startLoopbackServer(model.handler, { models: ['scripted'], latencyMs: 100 });
    try {
      const runDir = join(work, 'interrupted');
      const args = [bin, 'extract', docs, '--attributes', 'title,director', '--run-dir', runDir, '--model', 'scripted', '--base-url', slow.url, '--quiet'];
      const stopped = await new Promise<Run>((done) => {
        const child = spawn(process.execPath, args, { env: { ...process.env, EVAPORATE_MODEL: '' } });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const timer = setInterval(() => {
          if (slow.stats.completed >= 5) {
            clearInterval(timer);
            child.kill('SIGINT');
          }
        }, 5);
        child.on('close', (code) => {
          clearInterval(timer);
          done({ code, stdout: '', stderr });
        });
      });
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain(`--resume ${runDir}`);
      const resumed = await cli(['extract', '--resume', runDir, '--base-url', slow.url, '--quiet']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await readPredictedTable(join(runDir, 'table.csv'))).size).toBe(80);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('stops --method direct cleanly on SIGINT too, leaving no partial table', async () => {
    const slow = await startLoopbackServer(model.handler, { models: ['scripted'], latencyMs: 100 });
    try {
      const runDir = join(work, 'direct-interrupted');
      const stopped = await cli(['extract', docs, '--attributes', 'title', '--method', 'direct', '--run-dir', runDir, ...['--model', 'scripted', '--base-url', slow.url], '--quiet'], {
        until: (child) => {
          const timer = setInterval(() => {
            if (slow.stats.completed >= 10) {
              clearInterval(timer);
              child.kill('SIGINT');
            }
          }, 5);
          child.on('close', () => clearInterval(timer));
        },
      });
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toContain('--resume');
      expect(stopped.stderr).not.toMatch(/AbortError|at .*\.ts:\d+/);
      expect((await readdir(runDir)).filter((file) => file.includes('partial'))).toEqual([]);
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('writes a batch file with no API key and no endpoint: it sends nothing, so it needs neither', async () => {
    const file = join(work, 'keyless.jsonl');
    const run = await cli(['extract', docs, '--attributes', 'title', '--model', 'gpt-4o-mini', '--run-dir', join(work, 'keyless'), '--batch-export', file], { env: { OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } });
    expect(run.code, run.stderr).toBe(3);
    expect((await readFile(file, 'utf8')).trim().split('\n').length).toBeGreaterThan(0);
  });

  it('reads keys and endpoints from a .env file in the current folder; the environment wins', async () => {
    const folder = join(work, 'dotenv');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '.env'), '# the model for this project\nEVAPORATE_MODEL=model-from-dotenv\n');
    const exported = async (name: string, env: Record<string, string> = {}) => {
      const file = join(folder, `${name}.jsonl`);
      const run = await cli(['extract', docs, '--attributes', 'title', '--run-dir', join(folder, name), '--batch-export', file], { cwd: folder, env });
      expect(run.code, run.stderr).toBe(3);
      return JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!).body.model as string;
    };
    expect(await exported('from-file')).toBe('model-from-dotenv');
    expect(await exported('from-env', { EVAPORATE_MODEL: 'model-from-env' })).toBe('model-from-env');
  });

  it('exports batch files, stops with exit code 3, and completes from imported answers with no live call', async () => {
    const runDir = join(work, 'batch');
    const requests = server.stats.requests;
    let run = await cli(['extract', docs, '--attributes', 'title,director', '--run-dir', runDir, ...modelFlags(), '--batch-export', join(work, 'batch-1.jsonl')]);
    let round = 1;
    while (run.code === 3) {
      expect(run.stderr).toContain(`batch-${round}.jsonl`);
      expect(run.stderr).toContain('--resume');
      await answerBatchFile(join(work, `batch-${round}.jsonl`), join(work, `answers-${round}.jsonl`), model.handler);
      round++;
      run = await cli(['extract', '--resume', runDir, '--batch-import', join(work, `answers-${round - 1}.jsonl`), '--batch-export', join(work, `batch-${round}.jsonl`)]);
    }
    expect(run.code, run.stderr).toBe(0);
    expect(round).toBeGreaterThan(1);
    expect(server.stats.requests).toBe(requests);
    expect((await readPredictedTable(join(runDir, 'table.csv'))).size).toBe(80);
  }, 60_000);

  it('shares model answers between runs: the same extract in a new run directory sends nothing, unless --no-shared-cache', async () => {
    const cacheHome = join(work, 'user-cache');
    const shared = join(cacheHome, 'evaporate-ts', 'calls');
    // The tests' environment turns the shared cache off; unset, it lives under the user's cache folder.
    const env = { EVAPORATE_CACHE_DIR: '', XDG_CACHE_HOME: cacheHome };
    const extract = async (name: string, flags: string[] = []) => {
      const before = server.stats.received.length;
      const run = await cli(['extract', docs, '--attributes', 'title,director', '--sample', '4', '--functions', '2', '--run-dir', join(work, name), ...modelFlags(), ...flags], { env });
      expect(run.code, run.stderr).toBe(0);
      return { sent: server.stats.received.length - before, table: await readFile(join(work, name, 'table.csv'), 'utf8') };
    };
    const first = await extract('shared-1');
    expect(first.sent).toBeGreaterThan(0);
    expect((await readdir(shared, { recursive: true })).filter((file) => file.endsWith('.json')).length).toBeGreaterThan(0);
    const second = await extract('shared-2');
    expect(second.sent).toBe(0);
    expect(second.table).toBe(first.table);
    // The run keeps its own copies: it resumes and reports with the shared cache gone.
    expect((await readdir(join(work, 'shared-2', 'cache'), { recursive: true })).filter((file) => file.endsWith('.json')).length).toBeGreaterThan(0);
    const alone = await extract('shared-3', ['--no-shared-cache']);
    expect(alone.sent).toBe(first.sent);
    const elsewhere = await extract('shared-4', ['--cache-dir', join(work, 'other-cache')]);
    expect(elsewhere.sent).toBe(first.sent);
  }, 90_000);
});

describe('counts that agree', () => {
  it('the listing, the rows and the skipped files add up, and the summary says where the table went', async () => {
    const folder = join(work, 'mixed-folder');
    await mkdir(folder, { recursive: true });
    for (const [i, total] of ['12.50', '99.00', '7.25'].entries()) await writeFile(join(folder, `r${i}.txt`), `Receipt ${i}\nTotal: ${total}\n`);
    await writeFile(join(folder, 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x00, 0xff]));
    await writeFile(join(folder, 'empty.txt'), '');
    const out = join(work, 'mixed.jsonl');
    const run = await cli(['extract', folder, '--attributes', 'total', '--out', out, '--run-dir', join(work, 'mixed'), '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    const listed = Number(/documents: done \((\d+) files listed/.exec(run.stderr)?.[1]);
    const rows = Number(/Extracted (\d+) rows/.exec(run.stdout)?.[1]);
    const skipped = Number(/Skipped (\d+) file\(s\)/.exec(run.stdout)?.[1] ?? 0);
    expect(rows).toBe(3);
    expect(skipped).toBe(2);
    expect(listed === 5 || /more may be skipped as they are read/.test(run.stderr)).toBe(true);
    expect(run.stdout).toContain(`(and ${out})`);
    // JSONL: one value is a string, not an array of one.
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!);
    expect(typeof first.total === 'string' || first.total === null).toBe(true);
  }, 60_000);
});

describe('external converters', () => {
  it('extract reads files through --convert, keeps it in the run settings, and says what a bad spec should look like', async () => {
    const folder = join(work, 'to-convert');
    await mkdir(folder, { recursive: true });
    for (const [i, total] of ['12.50', '99.00', '7.25'].entries()) await writeFile(join(folder, `r${i}.up`), `receipt ${i}\ntotal: ${total}\n`);
    const runDir = join(work, 'converted');
    const run = await cli(['extract', folder, '--attributes', 'total', '--convert', '.up=tr a-z A-Z < {}', '--run-dir', runDir, '--out', join(work, 'converted.jsonl'), '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    const rows = (await readFile(join(work, 'converted.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.total)).toEqual(['12.50', '99.00', '7.25']);
    const cells = (await readFile(join(runDir, 'cells.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(cells[0].cells.total.spans.length).toBe(1);
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')).converters).toEqual([{ extension: '.up', command: 'tr a-z A-Z < {}' }]);
    const bad = await cli(['extract', folder, '--convert', '.up=cat']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected <extension>=<command with {} for the file>');
  }, 60_000);
});

describe('table outputs', () => {
  it('--out - writes only the table to standard output, in the --format asked for; the summary goes to stderr', async () => {
    const run = await cli(['extract', docs, '--attributes', 'title,director', '--out', '-', '--format', 'jsonl', '--run-dir', join(work, 'stdout'), '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(80);
    expect(lines.map((line) => Object.keys(JSON.parse(line)))).toEqual(lines.map(() => ['doc', 'title', 'director']));
    expect(run.stdout).toBe(await readFile(join(work, 'stdout', 'table.jsonl'), 'utf8'));
    expect(run.stderr).toMatch(/Extracted 80 rows/);
    const both = await cli(['extract', docs, '--attributes', 'title', '--out', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--out - and --json both write to standard output');
  }, 60_000);

  it('apply writes Parquet, and eval reads it as it reads the CSV of the same run', async () => {
    const program = join(work, 'model-run', 'program.json');
    const parquet = join(work, 'applied.parquet');
    const run = await cli(['apply', program, docs, '--out', parquet, '--run-dir', join(work, 'apply-parquet'), '--no-report']);
    expect(run.code, run.stderr).toBe(0);
    expect((await readFile(parquet)).subarray(0, 4).toString()).toBe('PAR1');
    expect(await readPredictedTable(parquet)).toEqual(await readPredictedTable(join(work, 'model.csv')));
  }, 60_000);
});

describe('other commands', () => {
  it('discover lists attributes with frequencies', async () => {
    const run = await cli(['discover', docs]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/attributes found by the built-in rules/);
    expect(run.stdout).toMatch(/director\s+\d+\/10/);
  });

  it('apply runs a saved program with no model, and eval scores the result', async () => {
    const out = join(work, 'applied.csv');
    const run = await cli(['apply', join(work, 'model-run', 'program.json'), docs, '--out', out, '--run-dir', join(work, 'apply-run')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Applied 6 attributes to 80 documents');
    expect(await readFile(out, 'utf8')).toBe(await readFile(join(work, 'model.csv'), 'utf8'));
    const evaluation = await cli(['eval', '--pred', out, '--gold', demo]);
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(evaluation.stdout).toMatch(/title/);
  });

  it('estimate prices a run before spending, without sending a request', async () => {
    const requests = server.stats.requests;
    const run = await cli(['estimate', docs, '--model', 'gpt-4o-mini', '--attributes', 'title,director', '--functions', '3']);
    expect(run.code, run.stderr).toBe(0);
    // Every stage that calls the model is counted: 10 sample documents, 2 attributes x 3 functions.
    expect(run.stdout).toContain('requests by stage: pseudo-labels 10, synthesis 6');
    expect(run.stdout).toMatch(/code \/ code\+\s+\d+\s+\d+/);
    expect(run.stdout).toMatch(/direct\s+\d+/);
    expect(run.stdout).toContain('$');
    expect(server.stats.requests).toBe(requests);
  });

  it('bench runs direct, code and code+ on the demo against the model and writes reports', async () => {
    const results = join(work, 'results');
    const run = await cli(['bench', demo, '--methods', 'direct,code,code+', ...modelFlags(), '--results-dir', results, '--run-dir', join(work, 'bench'), '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const files = await readdir(results);
    expect(files).toEqual(expect.arrayContaining(['bench-demo.md', 'bench-demo.json']));
    const report = JSON.parse(await readFile(join(results, 'bench-demo.json'), 'utf8'));
    expect(report.methods.map((m: { method: string }) => m.method)).toEqual(['direct', 'code', 'code+']);
    const [direct, code, ensemble] = report.methods;
    expect(direct.averageF1).toBeGreaterThan(0.9); // the scripted model reads the gold: direct is near perfect
    expect(ensemble.averageF1).toBeGreaterThan(code.averageF1);
    // Calibration is measured over the cells with a value: direct says 1 for every answer, the ensemble less.
    for (const method of [direct, code, ensemble]) expect(method.calibration.cells).toBeGreaterThan(0);
    expect(ensemble.calibration.ece).toBeGreaterThanOrEqual(0);
    expect(ensemble.calibration.ece).toBeLessThan(1);
    // code and code+ share the sample and the cache: code+ sends no request of its own.
    expect(code.model.liveCalls).toBeGreaterThan(0);
    expect(ensemble.model.liveCalls).toBe(0);
    expect(ensemble.model.cachedCalls).toBe(code.model.liveCalls + code.model.cachedCalls);
    const markdown = await readFile(join(results, 'bench-demo.md'), 'utf8');
    expect(markdown).toContain('| **average** |');
  }, 120_000);

  it('prints help with examples for every command', async () => {
    for (const command of ['extract', 'discover', 'apply', 'estimate', 'eval', 'bench']) {
      const run = await cli([command, '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: evaporate ${command}`);
      expect(run.stdout, command).toContain('Examples:');
    }
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Commands:');
  });
});

describe('errors and exit codes', () => {
  it('says what is wrong in one line, with exit codes scripts can rely on', async () => {
    const empty = join(work, 'empty-folder');
    await mkdir(empty, { recursive: true });
    const brokenRun = join(work, 'broken-run');
    const wrongRun = join(work, 'wrong-run');
    await mkdir(brokenRun, { recursive: true });
    await mkdir(wrongRun, { recursive: true });
    await writeFile(join(brokenRun, 'run.json'), '{"documents": ');
    await writeFile(join(wrongRun, 'run.json'), '[]');
    const schema = join(work, 'bad-schema.json');
    await writeFile(schema, '{"attributes": 42}');
    const authServer = await startLoopbackServer(model.handler, { models: ['scripted'], apiKey: 'right-key' });
    // Like OpenAI: a model it does not serve is a 404 naming the model.
    const strictServer = await startLoopbackServer(
      (request) => (request.body.model === 'scripted' ? model.handler(request) : { status: 404, message: `The model \`${request.body.model}\` does not exist` }),
      { models: ['scripted'] },
    );
    try {
      const cases: [string[], number, RegExp, Record<string, string>?][] = [
        [[], 2, /Usage: evaporate <command>/],
        [['frobnicate'], 2, /unknown command "frobnicate"/],
        [['extract'], 2, /missing <folder>/],
        [['extract', docs, '--bogus'], 2, /unknown option --bogus \(see evaporate extract --help\)/],
        [['extract', docs, '--attribute', 'title'], 2, /unknown option --attribute; did you mean --attributes\?/],
        [['discover', docs, '--max-atributes', '3'], 2, /did you mean --max-attributes\?/],
        [['extract', docs, '--top-k', 'many'], 2, /--top-k must be a whole number/],
        [['extract', join(work, 'nope')], 1, /Corpus folder not found: .*nope/],
        [['extract', empty], 1, /No documents found/],
        [['extract', docs, '--schema', schema], 2, /invalid schema file/],
        [['extract', docs, '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'], 1, /Cannot reach the model endpoint/],
        [['extract', docs, '--model', 'scripted', '--base-url', authServer.url, '--api-key-env', 'WRONG_KEY'], 1, /rejected the API key/, { WRONG_KEY: 'nope' }],
        [['extract', docs, '--model', 'no-such-model', '--base-url', strictServer.url], 1, /no-such-model/],
        [['apply', join(work, 'nope.json'), docs], 1, /Cannot read program/],
        [['extract', docs, '--attributes', 'a,,b,a'], 2, /"a" is named twice/],
        [['extract', docs, '--attributes', 'doc,title'], 2, /"doc" cannot be an attribute name/],
        [['extract', '--resume', brokenRun], 1, /run\.json is not valid JSON/],
        [['extract', '--resume', wrongRun], 1, /run\.json does not have the expected shape/],
        [['discover', docs, '--seed', '-1'], 0, /attributes found/],
      ];
      // --json: the same failure as a JSON event on stdout, beside the line on stderr.
      const json = await cli(['extract', join(work, 'nope'), '--json'], { cwd: work });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout.trim().split('\n').pop()!)).toMatchObject({ type: 'error', code: 'corpus', exitCode: 1, message: expect.stringMatching(/Corpus folder not found/) });
      for (const [args, code, message, env] of cases) {
        const run = await cli(args, { cwd: work, ...(env ? { env } : {}) });
        expect(run.code, args.join(' ')).toBe(code);
        expect(run.stderr + run.stdout, args.join(' ')).toMatch(message);
        if (code !== 2 || args.length > 0) expect(run.stderr.trim().split('\n').length, run.stderr).toBeLessThanOrEqual(3);
      }
    } finally {
      await authServer.close();
      await strictServer.close();
    }
    // A run that fails before it starts leaves no run directory behind.
    expect(existsSync(join(work, '.evaporate'))).toBe(false);
  }, 60_000);
});
