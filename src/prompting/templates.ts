import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The prompt templates shipped in `prompts/`, one file each. */
export type PromptName = 'discover-attributes' | 'rerank-attributes' | 'direct-extract' | 'function-zero-shot' | 'function-examples';

// Same relative place from src/prompting and from dist/prompting.
const promptsDir = resolve(import.meta.dirname, '../../prompts');
const loaded = new Map<PromptName, string>();

export function loadPrompt(name: PromptName): string {
  let template = loaded.get(name);
  if (template === undefined) {
    template = readFileSync(resolve(promptsDir, `${name}.txt`), 'utf8');
    loaded.set(name, template);
  }
  return template;
}

/**
 * Fill `{{placeholder}}`s. Every placeholder must get a value and every value must be used, so a template
 * edit that renames one fails loudly instead of sending a prompt with a hole in it.
 */
export function fillPrompt(template: string, values: Record<string, string | number>): string {
  const used = new Set<string>();
  const filled = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`Prompt placeholder {{${key}}} has no value`);
    used.add(key);
    return String(value);
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`Prompt has no placeholder for: ${unused.join(', ')}`);
  return filled;
}

export function renderPrompt(name: PromptName, values: Record<string, string | number>): string {
  return fillPrompt(loadPrompt(name), values);
}
