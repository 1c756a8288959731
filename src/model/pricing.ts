/** USD per million tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** Model id (or id prefix, see priceFor) -> price. */
export type PriceTable = Record<string, ModelPrice>;

/**
 * OpenAI list prices for standard (non-batch) requests, as known when this table was written
 * (2025). Prices change: pass a table in the settings to override or extend it. Local models
 * have no price, so their cost is reported as unknown rather than zero.
 */
export const BUILTIN_PRICES: PriceTable = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'o3': { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'gpt-4-turbo': { inputPerMTok: 10, outputPerMTok: 30 },
  'gpt-3.5-turbo': { inputPerMTok: 0.5, outputPerMTok: 1.5 },
  // The paper's model (retired), kept so its cost figures can be recomputed.
  'text-davinci-003': { inputPerMTok: 20, outputPerMTok: 20 },
};

/**
 * Exact id first, then the longest entry that the id extends with `-` (dated snapshots such as
 * `gpt-4o-2024-08-06` price as `gpt-4o`, while `gpt-4o-mini-...` prices as `gpt-4o-mini`).
 * A provider prefix like `openai/` is ignored. The user's table wins over the built-in one.
 */
export function priceFor(model: string, table: PriceTable = {}): ModelPrice | null {
  const id = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const source of [table, BUILTIN_PRICES]) {
    const exact = source[model] ?? source[id];
    if (exact) return exact;
    const prefix = Object.keys(source)
      .filter((key) => id.startsWith(`${key}-`))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) return source[prefix] ?? null;
  }
  return null;
}

export function costUsd(price: ModelPrice, promptTokens: number, completionTokens: number): number {
  return (promptTokens * price.inputPerMTok + completionTokens * price.outputPerMTok) / 1_000_000;
}
