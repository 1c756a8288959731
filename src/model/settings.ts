import { ModelConfigError } from './errors.ts';
import type { PriceTable } from './pricing.ts';

/** How to reach a model. Everything but `model` has a default. */
export interface ModelSettings {
  /** Model id as the endpoint knows it, e.g. `gpt-4o-mini` or `llama3.1:8b`. */
  model: string;
  /** OpenAI-compatible base URL ending in `/v1`; the OpenAI API when absent. */
  baseURL?: string;
  /** Optional for local servers; a placeholder is sent when absent. */
  apiKey?: string;
  /** Live requests in flight at once, across all stages. Default 8. */
  concurrency?: number;
  /** Per attempt, covering the whole response. Default 180 000 ms (local models can be slow). */
  timeoutMs?: number;
  /** Attempts after the first on 429, 5xx, connection errors, timeouts and malformed replies. Default 5. */
  maxRetries?: number;
  /** First backoff delay; doubles per attempt, with full jitter. Default 1000 ms. */
  retryBaseDelayMs?: number;
  /** Cap on one backoff delay, and on how long a `Retry-After` is honoured. Default 60 000 ms. */
  retryMaxDelayMs?: number;
  /** Prices per model, consulted before the built-in table. */
  prices?: PriceTable;
}

export const MODEL_DEFAULTS = {
  concurrency: 8,
  timeoutMs: 180_000,
  maxRetries: 5,
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 60_000,
} as const;

export interface ModelSettingsOptions extends Partial<ModelSettings> {
  /** Environment variable holding the key (default `OPENAI_API_KEY`); it must be set when given explicitly. */
  apiKeyEnv?: string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value && value.trim() !== '' ? value.trim() : undefined);

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw new ModelConfigError('invalid-setting', `Model setting ${name} must be an integer >= ${min}, got ${value}.`);
  }
}

/**
 * Settings from explicit options first, then the environment (`EVAPORATE_MODEL`, `OPENAI_BASE_URL`,
 * `OPENAI_API_KEY` or the variable named by `apiKeyEnv`). Returns null when no model is configured,
 * which means: run without a model. Throws ModelConfigError for settings that cannot work; `use.sends: false`
 * (batch export, estimates) waives the key, since nothing is sent.
 */
export function resolveModelSettings(options: ModelSettingsOptions, env: NodeJS.ProcessEnv = process.env, use: { sends?: boolean } = {}): ModelSettings | null {
  const model = nonEmpty(options.model) ?? nonEmpty(env['EVAPORATE_MODEL']);
  if (model === undefined) return null;

  const baseURL = nonEmpty(options.baseURL) ?? nonEmpty(env['OPENAI_BASE_URL']);
  if (baseURL !== undefined && !URL.canParse(baseURL)) {
    throw new ModelConfigError('invalid-setting', `Base URL "${baseURL}" is not a URL; use e.g. http://localhost:11434/v1.`);
  }

  const keyVar = options.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env[keyVar]);
  if (apiKey === undefined && options.apiKeyEnv !== undefined) {
    throw new ModelConfigError('missing-key', `Environment variable ${keyVar} (named as the API key variable) is not set; export it or drop the option.`);
  }
  // A run that only writes batch files (or an estimate) sends nothing, so it needs no key.
  if (apiKey === undefined && baseURL === undefined && use.sends !== false) {
    throw new ModelConfigError(
      'missing-key',
      `Model "${model}" would be called on the OpenAI API without a key; set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server.`,
    );
  }

  checkCount('concurrency', options.concurrency, 1);
  checkCount('timeoutMs', options.timeoutMs, 1);
  checkCount('maxRetries', options.maxRetries, 0);
  checkCount('retryBaseDelayMs', options.retryBaseDelayMs, 0);
  checkCount('retryMaxDelayMs', options.retryMaxDelayMs, 0);

  const settings: ModelSettings = { model };
  if (baseURL !== undefined) settings.baseURL = baseURL;
  if (apiKey !== undefined) settings.apiKey = apiKey;
  for (const key of ['concurrency', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs', 'retryMaxDelayMs'] as const) {
    const value = options[key];
    if (value !== undefined) settings[key] = value;
  }
  if (options.prices !== undefined) settings.prices = options.prices;
  return settings;
}

export type FilledModelSettings = Required<Omit<ModelSettings, 'baseURL' | 'apiKey' | 'prices'>> & ModelSettings;

/** Settings with every default filled in. */
export function withDefaults(settings: ModelSettings): FilledModelSettings {
  return { ...MODEL_DEFAULTS, ...stripUndefined(settings) };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
