import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../src/cli/options.ts';

const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');

describe('README', () => {
  it('shows the set-up commands and the main job', () => {
    expect(readme).toContain('npm install');
    expect(readme).toContain('npm test');
    expect(readme).toContain('npx evaporate extract datasets/demo/docs');
  });

  it('documents every command-line option', () => {
    const missing = Object.keys(OPTIONS).filter((name) => name !== 'help' && !readme.includes(`--${name}`));
    expect(missing).toEqual([]);
  });
});
