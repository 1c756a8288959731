/**
 * A config file holding any command-line option, so a project's settings live beside its documents:
 * `--config <file>`, else `evaporate.config.json`, else `.evaporaterc` (JSON) in the current folder. Keys are the
 * option names as on the command line (`run-dir`, `top-k`); flags given on the command line win. Options a command
 * does not take are left for the commands that do, so one file serves extract, apply and bench alike. Relative
 * paths are read from the file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors.ts';
import { closest, OPTIONS, type OptionName, type ParsedValues } from './options.ts';

export const CONFIG_FILES = ['evaporate.config.json', '.evaporaterc'] as const;

/** Options whose values are paths: read relative to the config file. */
const PATH_OPTIONS: ReadonlySet<OptionName> = new Set(['schema', 'out', 'run-dir', 'resume', 'update', 'batch-export', 'batch-import', 'pred', 'gold', 'results-dir', 'corpus', 'cache-dir']);
/** Options that make no sense in a file. */
const NOT_IN_CONFIG: ReadonlySet<string> = new Set(['help', 'config']);

// Built on first use: this module and ./options.ts import each other.
const configNames = (): OptionName[] => (Object.keys(OPTIONS) as OptionName[]).filter((name) => !NOT_IN_CONFIG.has(name));

const configSchema = () =>
  z
  .object(
    Object.fromEntries(
      configNames().map((name) => {
        const option: { type: string; multiple?: boolean } = OPTIONS[name];
        const value =
          option.type === 'boolean'
            ? z.boolean()
            : option.multiple
              ? z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]))
              : z.union([z.string(), z.number()]).transform(String);
        return [name, value.optional()];
      }),
    ),
  )
  .strict();

export interface LoadedConfig {
  file: string;
  values: ParsedValues;
}

/** The config file's options, or null when none is given and none is in `cwd`. */
export function loadConfig(explicit: string | undefined, cwd = process.cwd()): LoadedConfig | null {
  const file = explicit !== undefined ? resolve(cwd, explicit) : CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  if (file === undefined) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`the config file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = configSchema().safeParse(json);
  if (!parsed.success) throw new UsageError(`the config file ${file}: ${describeIssues(parsed.error.issues)}`);
  const values: ParsedValues = {};
  for (const [name, value] of Object.entries(parsed.data) as [OptionName, string | boolean | string[] | undefined][]) {
    if (value === undefined) continue;
    // `-` (standard output for --out) is not a path.
    const place = (path: string): string => (path === '-' ? path : resolve(dirname(file), path));
    values[name] = PATH_OPTIONS.has(name) && typeof value !== 'boolean' ? (Array.isArray(value) ? value.map(place) : place(value)) : value;
  }
  return { file, values };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((key) => {
            const near = closest(key, configNames());
            return `unknown option "${key}"${near ? `; did you mean "${near}"?` : ''}`;
          })
          .join('; ');
      }
      const name = String(issue.path[0] ?? '');
      const kind = (OPTIONS as Record<string, { type: string; multiple?: boolean }>)[name];
      const wanted = kind?.type === 'boolean' ? 'true or false' : kind?.multiple ? 'a string or a list of strings' : 'a string or a number';
      return `"${name}" must be ${wanted}`;
    })
    .join('; ');
}

/** The command line's values over the config file's, keeping only options this command takes. */
export function withConfig(values: ParsedValues, accepted: readonly OptionName[], config: LoadedConfig | null): ParsedValues {
  if (!config) return values;
  const merged: ParsedValues = { ...values };
  for (const name of accepted) if (merged[name] === undefined && config.values[name] !== undefined) merged[name] = config.values[name];
  return merged;
}
