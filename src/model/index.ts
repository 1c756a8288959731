// The model layer's public surface: the pipeline and the CLI import from here only.
export { createModelClient } from './client.ts';
export type { ModelClient, ModelClientOptions } from './client.ts';
export type { ChatMessage, ChatOutcome, ChatRequest, ModelEvent } from './types.ts';
export { resolveModelSettings, MODEL_DEFAULTS } from './settings.ts';
export type { ModelSettings, ModelSettingsOptions } from './settings.ts';
export { ModelConfigError } from './errors.ts';
export type { ModelConfigProblem } from './errors.ts';
export { checkEndpoint } from './probe.ts';
export type { EndpointCheck } from './probe.ts';
export { importBatchOutput, writeBatchFile } from './batch.ts';
export type { BatchImportResult, BatchRequestLine } from './batch.ts';
export { estimateCost, estimateTextTokens, estimateTokens } from './estimate.ts';
export type { CostEstimate } from './estimate.ts';
export { BUILTIN_PRICES, priceFor } from './pricing.ts';
export type { ModelPrice, PriceTable } from './pricing.ts';
export type { StageUsage, UsageReport } from './usage.ts';
export { addUsage } from './usage.ts';
export { cacheKey } from './cache.ts';
