import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReporter } from '../src/cli/progress.ts';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin/evaporate.js');
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const evaporate = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

let dir: string;
const scripts: Record<string, string> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaporate-shell-'));
  for (const shell of ['bash', 'zsh', 'fish']) {
    const run = evaporate(['completion', shell]);
    expect(run.status, run.stderr).toBe(0);
    scripts[shell] = join(dir, `evaporate.${shell}`);
    await writeFile(scripts[shell]!, run.stdout);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('evaporate completion', () => {
  it('bash: completes commands, the options of the command typed, and the choices of an option', () => {
    const complete = (...words: string[]) =>
      execFileSync('bash', ['-c', `source "$0"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _evaporate; echo "\${COMPREPLY[@]}"`, scripts['bash']!], { encoding: 'utf8' }).trim();
    expect(complete('evaporate', 'ex')).toBe('extract');
    expect(complete('evaporate', 'extract', '--attr')).toBe('--attributes');
    expect(complete('evaporate', 'extract', '--method', '')).toBe('direct code code+');
    expect(complete('evaporate', 'apply', '--format', 'p')).toBe('parquet');
    // apply takes no --model: it is not offered there.
    expect(complete('evaporate', 'apply', '--mod')).toBe('');
  });

  it.skipIf(!has('fish'))('fish: the same, through fish\'s own completer', () => {
    const complete = (line: string) => execFileSync('fish', ['-c', `source $argv[1]; complete -C "${line}"`, scripts['fish']!], { encoding: 'utf8' });
    expect(complete('evaporate ext')).toMatch(/^extract\t/);
    expect(complete('evaporate extract --method ').split('\n').map((l) => l.split('\t')[0]).filter(Boolean).sort()).toEqual(['code', 'code+', 'direct']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses and registers itself with compinit', () => {
    const out = execFileSync('zsh', ['-c', `autoload -Uz compinit && compinit -u -d ${join(dir, 'zcompdump')}; source ${scripts['zsh']}; print \${_comps[evaporate]}`], { encoding: 'utf8' });
    expect(out.trim()).toBe('_evaporate');
    expect(spawnSync('zsh', ['-n', scripts['zsh']!]).status).toBe(0);
  });

  it('refuses an unknown shell in one line', () => {
    const run = evaporate(['completion', 'tcsh']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('needs one shell: bash, zsh, fish');
  });
});
if (!has('fish') || !has('zsh')) console.log(`cli-shell.test: ${['fish', 'zsh'].filter((s) => !has(s)).join(' and ')} not installed; their completion tests skip`);

describe('colour', () => {
  it('errors are red on a terminal, and plain with NO_COLOR or when not a terminal', () => {
    const args = ['extract', join(dir, 'no-such-folder')];
    expect(evaporate(args, { FORCE_COLOR: '1' }).stderr).toContain('\x1b[31mevaporate:\x1b[39m');
    const piped = evaporate(args);
    expect(piped.stderr).toContain('evaporate: Corpus folder not found');
    expect(piped.stderr).not.toContain('\x1b[31m');
    if (has('script')) {
      // A real terminal (a pty from util-linux script), with and without NO_COLOR.
      // As a person's terminal: Node turns colour off under an unnamed CI (CI=true) and on a dumb TERM.
      const { FORCE_COLOR: _forced, CI: _ci, ...unforced } = process.env;
      const onTty = (env: Record<string, string>) => spawnSync('script', ['-qec', `"${process.execPath}" "${bin}" ${args.join(' ')}`, '/dev/null'], { encoding: 'utf8', env: { ...unforced, TERM: 'xterm-256color', ...env } }).stdout;
      expect(onTty({})).toContain('\x1b[31mevaporate:');
      expect(onTty({ NO_COLOR: '1' })).not.toContain('\x1b[31m');
    }
  });
});

describe('progress', () => {
  const fakeStream = () => {
    let text = '';
    return { stream: { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream, text: () => text };
  };
  const tick = () => new Promise((done) => setTimeout(done, 120));

  it('shows model stages with their totals, and time left once a unit is done', async () => {
    const out = fakeStream();
    const reporter = createReporter('live', out.stream);
    reporter.event({ type: 'stage', stage: 'synthesis', status: 'start' });
    await tick();
    reporter.event({ type: 'progress', stage: 'synthesis', done: 0, total: 4, unit: 'attributes' });
    expect(out.text()).toMatch(/synthesis 0\/4 attributes \| [\d.]+ attributes\/s \| time left: \?/);
    await tick();
    reporter.event({ type: 'progress', stage: 'synthesis', done: 2, total: 4, unit: 'attributes' });
    expect(out.text()).toMatch(/synthesis 2\/4 attributes \| [\d.]+ attributes\/s \| ~\d+s left/);
    reporter.stop();
  });

  it('logs plain lines with the unit when not on a terminal', () => {
    const out = fakeStream();
    const reporter = createReporter('plain', out.stream);
    reporter.event({ type: 'progress', stage: 'pseudo-labels', done: 5, total: 10 });
    expect(out.text()).toContain('pseudo-labels: 5/10 documents');
  });
});
