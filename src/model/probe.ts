/**
 * A first probe of the endpoint before a run spends anything, turning the failures that would
 * otherwise repeat on every call (bad key, unknown model, wrong or dead URL, no quota) into one
 * ModelConfigError that says what to do.
 */
import { APIConnectionError, APIError } from 'openai';
import { createOpenAI } from './client.ts';
import { ModelConfigError } from './errors.ts';
import type { ModelSettings } from './settings.ts';

export interface EndpointCheck {
  /** Models the endpoint lists, or null when it has no working `/models`. */
  models: string[] | null;
  /** A transient problem seen while probing (rate limit, server error) that need not stop the run. */
  warning?: string;
}

const OPENAI_URL = 'https://api.openai.com/v1';

function configError(error: unknown, settings: ModelSettings, what: string): ModelConfigError | null {
  const where = settings.baseURL ?? OPENAI_URL;
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new ModelConfigError(
      'unreachable',
      `Cannot reach the model endpoint ${where}${cause}: start the server, or fix OPENAI_BASE_URL / the base URL setting.`,
    );
  }
  if (!(error instanceof APIError)) return null;
  if (error.status === 401 || error.status === 403) {
    return new ModelConfigError('auth', `${where} rejected the API key (HTTP ${error.status}) on ${what}: check OPENAI_API_KEY or the key setting.`);
  }
  if (error.status === 429 && error.code === 'insufficient_quota') {
    return new ModelConfigError('auth', `${where} reports no remaining quota for this key: add credit or use another key.`);
  }
  return null;
}

const mentionsModel = (error: APIError): boolean => error.code === 'model_not_found' || /model/i.test(error.message);

/**
 * Lists the endpoint's models; if the configured model is not among them (or there is no list),
 * confirms it with a one-token chat request, since some servers (llama.cpp) answer to any model
 * name while listing only a file path. Throws ModelConfigError for problems that stop a run.
 */
export async function checkEndpoint(settings: ModelSettings, options: { timeoutMs?: number } = {}): Promise<EndpointCheck> {
  const openai = createOpenAI(settings, options.timeoutMs ?? 15_000);
  const where = settings.baseURL ?? OPENAI_URL;
  const check: EndpointCheck = { models: null };

  try {
    const page = await openai.models.list();
    check.models = page.data.map((model) => model.id);
  } catch (error) {
    const fatal = configError(error, settings, 'GET /models');
    if (fatal) throw fatal;
    // No /models on this server (or a transient error): the chat probe below decides.
  }
  if (check.models?.includes(settings.model)) return check;

  try {
    await openai.chat.completions.create({ model: settings.model, messages: [{ role: 'user', content: 'Reply with OK.' }], max_tokens: 1 });
    return check;
  } catch (error) {
    const fatal = configError(error, settings, 'a test chat request');
    if (fatal) throw fatal;
    if (error instanceof APIError && (error.status === 404 || error.status === 400) && mentionsModel(error)) {
      const served = check.models && check.models.length > 0 ? `; it serves: ${check.models.slice(0, 10).join(', ')}` : '';
      throw new ModelConfigError('unknown-model', `Model "${settings.model}" is not served by ${where}${served}. Set EVAPORATE_MODEL or the model setting.`);
    }
    if (error instanceof APIError && error.status === 404) {
      throw new ModelConfigError('bad-endpoint', `${where}/chat/completions does not exist (HTTP 404): an OpenAI-compatible base URL usually ends in /v1.`);
    }
    const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    check.warning = `The test chat request to ${where} failed (${detail}); continuing, calls will be retried.`;
    return check;
  }
}
