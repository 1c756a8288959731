import { describe, expect, it } from 'vitest';
import {
  checkEndpoint,
  estimateCost,
  estimateTextTokens,
  estimateTokens,
  ModelConfigError,
  priceFor,
  resolveModelSettings,
  type ModelConfigProblem,
} from '../src/model/index.ts';
import { startLoopbackServer, type LoopbackHandler } from './support/loopback-server.ts';

describe('resolveModelSettings', () => {
  it('returns null when no model is configured: the run goes model-free', () => {
    expect(resolveModelSettings({}, {})).toBeNull();
    expect(resolveModelSettings({ baseURL: 'http://localhost:8000/v1' }, { OPENAI_API_KEY: 'k' })).toBeNull();
  });

  it('takes options first, then the environment', () => {
    const env = { EVAPORATE_MODEL: 'env-model', OPENAI_BASE_URL: 'http://env:1/v1', OPENAI_API_KEY: 'env-key' };
    expect(resolveModelSettings({}, env)).toEqual({ model: 'env-model', baseURL: 'http://env:1/v1', apiKey: 'env-key' });
    expect(resolveModelSettings({ model: 'opt', baseURL: 'http://opt:2/v1', apiKey: 'opt-key', concurrency: 2 }, env)).toEqual({
      model: 'opt',
      baseURL: 'http://opt:2/v1',
      apiKey: 'opt-key',
      concurrency: 2,
    });
  });

  it('needs no key for a local server, but does for the OpenAI API', () => {
    expect(resolveModelSettings({ model: 'llama3.1', baseURL: 'http://localhost:11434/v1' }, {})).toEqual({
      model: 'llama3.1',
      baseURL: 'http://localhost:11434/v1',
    });
    expect(() => resolveModelSettings({ model: 'gpt-4o' }, {})).toThrow(/OPENAI_API_KEY/);
  });

  it('reads the key from a named variable and insists that it is set', () => {
    expect(resolveModelSettings({ model: 'm', apiKeyEnv: 'MY_KEY' }, { MY_KEY: 'secret' })?.apiKey).toBe('secret');
    expect(() => resolveModelSettings({ model: 'm', apiKeyEnv: 'MY_KEY' }, { OPENAI_API_KEY: 'other' })).toThrow(/MY_KEY/);
  });

  it('rejects settings that cannot work with a ModelConfigError', () => {
    const problem = (fn: () => unknown): ModelConfigProblem | undefined => {
      try {
        fn();
      } catch (error) {
        return error instanceof ModelConfigError ? error.problem : undefined;
      }
      return undefined;
    };
    const local = { model: 'm', baseURL: 'http://localhost:1/v1' };
    expect(problem(() => resolveModelSettings({ ...local, concurrency: 0 }, {}))).toBe('invalid-setting');
    expect(problem(() => resolveModelSettings({ ...local, timeoutMs: 1.5 }, {}))).toBe('invalid-setting');
    expect(problem(() => resolveModelSettings({ model: 'm', baseURL: 'localhost 8000' }, {}))).toBe('invalid-setting');
    expect(problem(() => resolveModelSettings({ model: 'gpt-4o' }, {}))).toBe('missing-key');
  });
});

describe('priceFor', () => {
  it('matches exact ids, dated snapshots and provider prefixes, preferring the longest entry', () => {
    expect(priceFor('gpt-4o')).toEqual({ inputPerMTok: 2.5, outputPerMTok: 10 });
    expect(priceFor('gpt-4o-2024-08-06')).toEqual(priceFor('gpt-4o'));
    expect(priceFor('gpt-4o-mini-2024-07-18')).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    expect(priceFor('openai/gpt-4.1-mini')).toEqual({ inputPerMTok: 0.4, outputPerMTok: 1.6 });
  });

  it('returns null for unknown (local) models and lets the user table win', () => {
    expect(priceFor('llama3.1:8b')).toBeNull();
    expect(priceFor('gpt-4o', { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } })).toEqual({ inputPerMTok: 1, outputPerMTok: 1 });
  });
});

describe('token and cost estimates', () => {
  it('counts common English words as one token each', () => {
    // cl100k encodes this sentence in exactly 9 tokens.
    expect(estimateTextTokens('The quick brown fox jumps over the lazy dog')).toBe(9);
  });

  it('charges long words, markup and numbers more than plain prose of the same length', () => {
    expect(estimateTextTokens('internationalization')).toBeGreaterThan(estimateTextTokens('the'));
    expect(estimateTextTokens('<div class="a"></div>')).toBeGreaterThan(estimateTextTokens('the div class is a'));
    expect(estimateTextTokens('1234567')).toBe(3);
  });

  it('adds per-message framing', () => {
    const one = [{ role: 'user' as const, content: 'hello' }];
    expect(estimateTokens(one, 'gpt-4o')).toBe(1 + 4 + 3);
    expect(estimateTokens([...one, ...one], 'gpt-4o')).toBe(2 * (1 + 4) + 3);
  });

  it('estimates the cost of requests before sending them', () => {
    const request = { messages: [{ role: 'user' as const, content: 'The quick brown fox jumps over the lazy dog' }], maxTokens: 100 };
    const estimate = estimateCost([request, request], 'gpt-4o-mini');
    expect(estimate).toMatchObject({ requests: 2, promptTokens: 2 * (9 + 4 + 3), maxCompletionTokens: 200 });
    expect(estimate.costUsd).toBeCloseTo((32 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(estimateCost([{ messages: request.messages }], 'gpt-4o-mini').maxCompletionTokens).toBeNull();
    expect(estimateCost([request], 'local-model').costUsd).toBeNull();
  });
});

describe('checkEndpoint', () => {
  const rejectUnknownModels =
    (served: string[]): LoopbackHandler =>
    (r) =>
      served.includes(String(r.body.model)) ? 'OK' : { status: 404, message: `The model \`${String(r.body.model)}\` does not exist` };

  async function problemOf(promise: Promise<unknown>): Promise<{ problem: ModelConfigProblem; message: string }> {
    const error = await promise.then(
      () => new Error('expected a ModelConfigError'),
      (e: unknown) => e,
    );
    if (!(error instanceof ModelConfigError)) throw error;
    return { problem: error.problem, message: error.message };
  }

  it('passes a served model and lists what the server serves', async () => {
    const server = await startLoopbackServer(rejectUnknownModels(['m1']), { models: ['m1', 'm2'] });
    try {
      expect(await checkEndpoint({ model: 'm1', baseURL: server.url })).toEqual({ models: ['m1', 'm2'] });
      expect(server.stats.byPath['/v1/chat/completions']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('accepts a model the list omits when the server answers to it (llama.cpp style)', async () => {
    const server = await startLoopbackServer(() => 'OK', { models: ['/models/llama.gguf'] });
    try {
      expect(await checkEndpoint({ model: 'anything', baseURL: server.url })).toEqual({ models: ['/models/llama.gguf'] });
    } finally {
      await server.close();
    }
  });

  it('names an unknown model and what is served instead', async () => {
    const server = await startLoopbackServer(rejectUnknownModels(['m1']), { models: ['m1'] });
    try {
      const { problem, message } = await problemOf(checkEndpoint({ model: 'gpt-9', baseURL: server.url }));
      expect(problem).toBe('unknown-model');
      expect(message).toMatch(/"gpt-9".*serves: m1/);
    } finally {
      await server.close();
    }
  });

  it('reports a rejected key', async () => {
    const server = await startLoopbackServer(() => 'OK', { apiKey: 'right', models: ['m'] });
    try {
      const { problem, message } = await problemOf(checkEndpoint({ model: 'm', baseURL: server.url, apiKey: 'wrong' }));
      expect(problem).toBe('auth');
      expect(message).toMatch(/401.*OPENAI_API_KEY/);
      expect(await checkEndpoint({ model: 'm', baseURL: server.url, apiKey: 'right' })).toEqual({ models: ['m'] });
    } finally {
      await server.close();
    }
  });

  it('reports an endpoint nobody listens on', async () => {
    const server = await startLoopbackServer();
    const url = server.url;
    await server.close();
    const { problem, message } = await problemOf(checkEndpoint({ model: 'm', baseURL: url }, { timeoutMs: 2_000 }));
    expect(problem).toBe('unreachable');
    expect(message).toContain(url);
  });

  it('points out a base URL without /v1', async () => {
    const server = await startLoopbackServer();
    try {
      const { problem, message } = await problemOf(checkEndpoint({ model: 'm', baseURL: server.url.replace(/\/v1$/, '') }));
      expect(problem).toBe('bad-endpoint');
      expect(message).toMatch(/ends in \/v1/);
    } finally {
      await server.close();
    }
  });
});
