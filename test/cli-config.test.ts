import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, withConfig } from '../src/cli/config.ts';
import { parseCommand } from '../src/cli/options.ts';
import { extractCommand } from '../src/cli/extract.ts';
import { applyCommand } from '../src/cli/apply.ts';

const scratch = mkdtempSync(join(tmpdir(), 'evaporate-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function folderWith(name: string, file: string, content: unknown): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

describe('config file', () => {
  it('gives any option, flags win, paths are read from its folder, and a command takes only its own options', () => {
    const dir = folderWith('project', 'evaporate.config.json', { attributes: 'title,director', 'top-k': 3, report: false, 'run-dir': 'runs/one', include: '**/*.html', 'shard-size': 100, pred: 'x.csv' });
    const config = loadConfig(undefined, dir);
    expect(config?.file).toBe(join(dir, 'evaporate.config.json'));
    expect(config?.values).toMatchObject({ attributes: 'title,director', 'top-k': '3', report: false, 'run-dir': join(dir, 'runs/one'), include: ['**/*.html'] });
    const merged = withConfig({ 'top-k': '5' }, extractCommand.options, config);
    expect(merged).toMatchObject({ 'top-k': '5', attributes: 'title,director', report: false, 'run-dir': join(dir, 'runs/one') });
    // `pred` belongs to eval, not extract: left for the command that takes it.
    expect(merged.pred).toBeUndefined();
    expect(withConfig({}, applyCommand.options, config).attributes).toBeUndefined();
  });

  it('is found as .evaporaterc too, or named with --config', () => {
    const rc = folderWith('rc', '.evaporaterc', { seed: 7 });
    expect(loadConfig(undefined, rc)?.values).toEqual({ seed: '7' });
    const named = folderWith('named', 'settings.json', { sample: 4 });
    const parsed = parseCommand(extractCommand, ['docs', '--config', join(named, 'settings.json')]);
    expect(parsed.values.sample).toBe('4');
    expect(loadConfig(undefined, join(scratch, 'nowhere'))).toBeNull();
  });

  it('says what is wrong with a bad file: unknown options (with a suggestion), wrong types, not JSON, missing', () => {
    const unknown = folderWith('unknown', 'evaporate.config.json', { 'top-kk': 3, attributes: ['a'] });
    expect(() => loadConfig(undefined, unknown)).toThrow(/unknown option "top-kk"; did you mean "top-k"\?/);
    expect(() => loadConfig(undefined, unknown)).toThrow(/"attributes" must be a string or a number/);
    const bool = folderWith('bool', 'evaporate.config.json', { report: 'no' });
    expect(() => loadConfig(undefined, bool)).toThrow(/"report" must be true or false/);
    const broken = folderWith('broken', 'evaporate.config.json', '{ "seed": ');
    expect(() => loadConfig(undefined, broken)).toThrow(/is not JSON/);
    expect(() => loadConfig(join(scratch, 'missing.json'))).toThrow(/cannot read the config file/);
  });
});
