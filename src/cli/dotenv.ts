import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Keys and endpoints from a `.env` file in the current folder (OPENAI_API_KEY, OPENAI_BASE_URL, EVAPORATE_MODEL,
 * ...), parsed as Node's own `--env-file` does. A variable already set in the environment wins; an empty one counts
 * as unset. Returns the names it set, or a warning when the file exists but cannot be read.
 */
export function loadDotEnv(path = '.env'): { loaded: string[]; warning?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { loaded: [] } : { loaded: [], warning: `could not read ${path} (${(error as Error).message}); going on without it` };
  }
  const loaded: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (process.env[name]) continue;
    process.env[name] = value;
    loaded.push(name);
  }
  return { loaded };
}
