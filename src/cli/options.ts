import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MODEL_DEFAULTS, resolveModelSettings, type ModelSettings } from '../model/index.ts';
import { parseConverter, type Converter } from '../corpus/index.ts';
import type { AttributeSpec } from '../core/attributes.ts';
import { DEFAULTS, SYNTH_MODES, type SynthMode } from '../core/settings.ts';
import { loadConfig, withConfig } from './config.ts';
import { UsageError } from './errors.ts';
import type { ProgressMode } from './progress.ts';
import type { QueueRunOptions } from '../pipeline/queue/index.ts';

interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  value?: string;
  help: string;
}

/** Every option any command takes; each command lists the ones it accepts, and --help is built from this table. */
export const OPTIONS = {
  attributes: { type: 'string', value: 'a,b,c', help: 'attributes to extract (closed IE); omit for open IE' },
  schema: { type: 'string', value: 'file.json', help: 'JSON file of attributes with optional description and form' },
  out: { type: 'string', value: 'file', help: 'also write the table here (.csv, .jsonl, .json or .parquet; - for standard output)' },
  format: { type: 'string', value: 'csv|jsonl|json|parquet', help: 'the table\'s format (default: from the --out file\'s extension, else csv)' },
  model: { type: 'string', value: 'name', help: 'model id (default: $EVAPORATE_MODEL; none = built-in synthesizer)' },
  'base-url': { type: 'string', value: 'url', help: 'OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (default: $OPENAI_BASE_URL)' },
  'api-key-env': { type: 'string', value: 'VAR', help: 'environment variable holding the API key (default OPENAI_API_KEY)' },
  concurrency: { type: 'string', value: 'n', help: `model requests in flight at once (default ${MODEL_DEFAULTS.concurrency})` },
  'request-timeout-ms': { type: 'string', value: 'ms', help: `time limit of one model request, body included (default ${MODEL_DEFAULTS.timeoutMs})` },
  retries: { type: 'string', value: 'n', help: `retries of a failed model request (default ${MODEL_DEFAULTS.maxRetries})` },
  synth: { type: 'string', value: 'model|builtin|both', help: 'who writes candidate functions (default both with a model, builtin without; model = the paper)' },
  method: { type: 'string', value: 'direct|code|code+', help: 'direct: model reads every document; code: best function; code+: ensemble (default)' },
  aggregation: { type: 'string', value: 'ws|mv', help: 'how code+ combines votes: label model (default) or majority vote' },
  sample: { type: 'string', value: 'n', help: `documents in the sample shown to the model (default ${DEFAULTS.sampleSize})` },
  functions: { type: 'string', value: 'n', help: `candidate functions asked of the model per attribute (default ${DEFAULTS.functionsPerAttribute})` },
  'top-k': { type: 'string', value: 'n', help: `functions kept per attribute (default ${DEFAULTS.topK})` },
  'min-f1': { type: 'string', value: 'x', help: `drop functions scoring under this on the sample (default ${DEFAULTS.minF1})` },
  'max-attributes': { type: 'string', value: 'n', help: `most attributes kept by open IE (default ${DEFAULTS.maxAttributes})` },
  'chunk-chars': { type: 'string', value: 'n', help: `prompt chunk budget in characters (default ${DEFAULTS.chunkChars})` },
  'run-dir': { type: 'string', value: 'dir', help: 'run directory (default .evaporate/runs/<timestamp>)' },
  update: { type: 'string', value: 'run-dir', help: 'extract: bring that finished run up to date with the folder: only new and changed documents are run, with its program and no model' },
  resume: { type: 'string', value: 'dir', help: 'continue the run in this directory with its saved settings; flags given change them' },
  include: { type: 'string', multiple: true, value: 'glob', help: "only files matching (repeatable), relative to the folder, e.g. '**/*.html'" },
  exclude: { type: 'string', multiple: true, value: 'glob', help: 'leave out files matching (repeatable)' },
  convert: { type: 'string', multiple: true, value: 'ext=command', help: "read files of this extension with a command whose output (text or HTML) is the document, {} = the file (repeatable), e.g. '.rtf=pandoc -t html {}'" },
  'follow-links': { type: 'boolean', help: 'follow symbolic links that lead out of the folder (default: recorded as skips, not read)' },
  'max-bytes': { type: 'string', value: 'n', help: `skip files larger than this many bytes (default ${DEFAULTS.maxBytes})` },
  seed: { type: 'string', value: 'n', help: `sampling seed (default ${DEFAULTS.seed})` },
  'batch-export': { type: 'string', value: 'file.jsonl', help: 'send no requests; write those still needed as an OpenAI Batch API input file' },
  'batch-import': { type: 'string', multiple: true, value: 'file.jsonl', help: 'load an OpenAI Batch API output file into the cache first (repeatable)' },
  'cache-dir': { type: 'string', value: 'dir', help: 'the model-call cache all runs share (default: $EVAPORATE_CACHE_DIR, else ~/.cache/evaporate-ts/calls)' },
  'shared-cache': { type: 'boolean', help: 'reuse model answers from other runs (default; --no-shared-cache: only the run\'s own cache/)' },
  'timeout-ms': { type: 'string', value: 'ms', help: `time limit per function per document (default ${DEFAULTS.timeoutMs})` },
  isolates: { type: 'string', value: 'n', help: 'sandbox isolates (default one per core)' },
  queue: { type: 'string', value: 'redis://host:port', help: 'apply on queue workers (evaporate worker) through this Redis; the model stages run here' },
  'queue-name': { type: 'string', value: 'name', help: 'the BullMQ queue in that Redis (default evaporate); workers and coordinator must agree' },
  'shard-size': { type: 'string', value: 'n', help: 'documents per queued shard (default 500)' },
  'lock-ms': { type: 'string', value: 'ms', help: 'worker: how long a shard stays claimed by a worker that stopped answering before another takes it (default 30000)' },
  pred: { type: 'string', value: 'table', help: 'the predicted table (.csv, .jsonl or .json)' },
  gold: { type: 'string', value: 'path', help: 'gold: a table.json, an Evaporate-layout folder or an SWDE site folder' },
  methods: { type: 'string', value: 'list', help: 'methods to compare, e.g. direct,code,code+ (default: those that can run)' },
  mix: { type: 'string', value: 'a,b,...', help: 'bench: copy these benchmark folders into one mixed folder, run it, and score each part beside a run over that part alone' },
  'mix-docs': { type: 'string', value: 'n', help: 'bench --mix: at most this many documents of each benchmark (a seeded sample; default all)' },
  'open-ie': { type: 'boolean', help: 'bench: let the methods discover the attributes; score pair F1 and schema F1@k' },
  'results-dir': { type: 'string', value: 'dir', help: 'bench: where reports go (default: beside the runs, under --run-dir)' },
  record: { type: 'boolean', help: 'bench: record the reports in eval/results/ (the repository\'s recorded results)' },
  fallback: { type: 'boolean', help: 'extract: when every model request fails, accept the table made without the model and exit 0' },
  report: { type: 'boolean', help: 'write report.html into the run directory (default; --no-report skips it)' },
  serve: { type: 'boolean', help: 'report: serve the page on 127.0.0.1 and load whole documents on demand (Ctrl-C stops)' },
  port: { type: 'string', value: 'n', help: 'report: port for --serve (8765; 0 picks a free one)' },
  corpus: { type: 'string', value: 'dir', help: 'report: the corpus folder, if it moved since the run' },
  quiet: { type: 'boolean', help: 'print nothing but errors' },
  json: { type: 'boolean', help: 'machine-readable progress and result as JSON lines on stdout' },
  config: { type: 'string', value: 'file.json', help: 'options from this JSON file (default: evaporate.config.json or .evaporaterc here, if any); flags win' },
  help: { type: 'boolean', help: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
export type ParsedValues = Partial<Record<OptionName, string | boolean | string[]>>;

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options: OptionName[];
  examples: string[];
  /** Help texts that differ for this command (`--concurrency` of a worker counts shards, not model requests). */
  help?: Partial<Record<OptionName, string>>;
}

export function parseCommand(spec: CommandSpec, argv: string[]): { values: ParsedValues; positionals: string[] } {
  const options = Object.fromEntries(
    [...spec.options, 'config' as const, 'help' as const].map((name) => {
      const option: OptionSpec = OPTIONS[name];
      return [name, { type: option.type, ...(option.multiple ? { multiple: true } : {}) }];
    }),
  );
  try {
    const parsed = parseArgs({ args: joinNegativeValues(argv, spec.options), options, allowPositionals: true, allowNegative: true, strict: true });
    const values = parsed.values as ParsedValues;
    return { values: values.help ? values : withConfig(values, spec.options, loadConfig(stringOption(values, 'config'))), positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = (error as Error).message.split('\n')[0] ?? '';
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const suggestion = unknown === undefined ? undefined : closest(unknown, spec.options);
    const said = unknown === undefined ? message : `unknown option --${unknown}${suggestion ? `; did you mean --${suggestion}?` : ''}`;
    throw new UsageError(`${said} (see evaporate ${spec.name} --help)`);
  }
}

/** `--seed -1` as `--seed=-1`: parseArgs reads a value that starts with "-" as an option of its own. */
function joinNegativeValues(argv: readonly string[], names: readonly OptionName[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? (arg.slice(2) as OptionName) : undefined;
    if (name !== undefined && names.includes(name) && OPTIONS[name].type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** The option nearest to a mistyped one (at most two edits, or a prefix either way), if any. */
export function closest(typed: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = name.startsWith(typed) || typed.startsWith(name) ? 1 : editDistance(typed, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Parse a command's arguments; with --help, print the help and return null (the command is done). */
export function parseOrHelp(spec: CommandSpec, argv: string[]): { values: ParsedValues; positionals: string[] } | null {
  const parsed = parseCommand(spec, argv);
  if (!parsed.values.help) return parsed;
  process.stdout.write(helpText(spec));
  return null;
}

export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, 'config' as const, 'help' as const].map((name) => {
    const option: OptionSpec = OPTIONS[name];
    return [`--${name}${option.value ? ` <${option.value}>` : ''}`, spec.help?.[name] ?? option.help];
  });
  const width = Math.max(...rows.map(([flag]) => (flag as string).length));
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${(flag as string).padEnd(width)}  ${help}`),
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}

/** The entries that are set; options objects then carry no explicit undefineds. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

export function intOption(values: ParsedValues, name: OptionName, min = 0): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${String(raw)}"`);
  return value;
}

export function numberOption(values: ParsedValues, name: OptionName, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${String(raw)}"`);
  return value;
}

export function choiceOption<T extends string>(values: ParsedValues, name: OptionName, choices: readonly T[]): T | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${String(raw)}"`);
  return raw as T;
}

export function stringOption(values: ParsedValues, name: OptionName): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

export function listOption(values: ParsedValues, name: OptionName): string[] | undefined {
  const raw = values[name];
  return Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : undefined;
}

export function progressMode(values: ParsedValues): ProgressMode {
  if (values.json) return 'json';
  if (values.quiet) return 'quiet';
  return process.stderr.isTTY ? 'live' : 'plain';
}

/** External converters from `--convert ext=command` (repeatable). */
export function convertersOption(values: ParsedValues): Converter[] | undefined {
  const specs = listOption(values, 'convert');
  if (specs === undefined) return undefined;
  return specs.map((spec) => {
    try {
      return parseConverter(spec);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}

/** The library's `cacheDir`: false for --no-shared-cache, the folder --cache-dir names, or absent for the default. */
export function cacheOption(values: ParsedValues): string | false | undefined {
  if (values['shared-cache'] === false) {
    if (values['cache-dir'] !== undefined) throw new UsageError('use either --cache-dir or --no-shared-cache, not both');
    return false;
  }
  return stringOption(values, 'cache-dir');
}

/** Model settings from the flags, then the environment; null when no model is configured. `sends: false`: no key needed. */
export function modelSettings(values: ParsedValues, use: { sends?: boolean } = {}): ModelSettings | null {
  return resolveModelSettings({
    ...(stringOption(values, 'model') ? { model: stringOption(values, 'model') } : {}),
    ...(stringOption(values, 'base-url') ? { baseURL: stringOption(values, 'base-url') } : {}),
    ...(stringOption(values, 'api-key-env') ? { apiKeyEnv: stringOption(values, 'api-key-env') } : {}),
    ...(intOption(values, 'concurrency', 1) !== undefined ? { concurrency: intOption(values, 'concurrency', 1) } : {}),
    ...(intOption(values, 'request-timeout-ms', 1) !== undefined ? { timeoutMs: intOption(values, 'request-timeout-ms', 1) } : {}),
    ...(intOption(values, 'retries', 0) !== undefined ? { maxRetries: intOption(values, 'retries', 0) } : {}),
  }, process.env, use);
}

const attributeSchema = z.object({
  name: z.string().trim().min(1).regex(/^[^,]+$/, 'names cannot contain commas'),
  description: z.string().optional(),
  form: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  multiple: z.boolean().optional(),
});
/** A schema file: a list of attributes, `{ "attributes": [...] }`, or `{ "name": "description", ... }`. */
const schemaFile = z.union([
  z.array(z.union([z.string().min(1), attributeSchema])),
  z.object({ attributes: z.array(z.union([z.string().min(1), attributeSchema])) }),
  z.record(z.string(), z.string()),
]);

export async function attributesOption(values: ParsedValues): Promise<AttributeSpec[] | undefined> {
  const list = stringOption(values, 'attributes');
  const schemaPath = stringOption(values, 'schema');
  if (list !== undefined && schemaPath !== undefined) throw new UsageError('use either --attributes or --schema, not both');
  if (list !== undefined) {
    const names = list.split(',').map((name) => name.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError('--attributes needs at least one name, e.g. --attributes title,price');
    return names.map((name) => ({ name }));
  }
  if (schemaPath === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(schemaPath, 'utf8'));
  } catch (error) {
    throw new UsageError(`invalid schema file ${schemaPath}: ${(error as Error).message}`);
  }
  const parsed = schemaFile.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`invalid schema file ${schemaPath}: expected a list of attributes like [{"name": "price", "description": "...", "form": "...", "multiple": false}]`);
  }
  const data = parsed.data;
  const entries = Array.isArray(data) ? data : 'attributes' in data && Array.isArray(data.attributes) ? data.attributes : Object.entries(data as Record<string, string>).map(([name, description]) => ({ name, description }));
  const specs = entries.map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
  if (specs.length === 0) throw new UsageError(`invalid schema file ${schemaPath}: it lists no attributes`);
  return specs;
}

/** --queue, --queue-name and --shard-size as the library's queue option, or undefined without --queue. */
export function queueOption(values: ParsedValues): QueueRunOptions | undefined {
  const url = stringOption(values, 'queue');
  if (url === undefined) {
    if (values['shard-size'] !== undefined || values['queue-name'] !== undefined) throw new UsageError('--shard-size and --queue-name need --queue redis://host:port');
    return undefined;
  }
  return defined({ url, name: stringOption(values, 'queue-name'), shardSize: intOption(values, 'shard-size', 1) });
}

/** --synth: `llm`, the name earlier releases used for `model`, is still understood. */
export function synthOption(values: ParsedValues): SynthMode | undefined {
  if (values.synth === 'llm') return 'model';
  return choiceOption(values, 'synth', SYNTH_MODES);
}
