import { z } from 'zod';

/** Where a candidate came from: a model's reply, or the model-free built-in synthesizer. */
export const FUNCTION_ORIGINS = ['model', 'builtin'] as const;
export type FunctionOrigin = (typeof FUNCTION_ORIGINS)[number];

/** A candidate extractor function: JavaScript source defining `function extract(doc, $)`. */
export const candidateFunctionSchema = z.object({
  /** Unique within a run, e.g. "title-7". */
  id: z.string().min(1),
  attribute: z.string(),
  source: z.string().min(1),
  origin: z.enum(FUNCTION_ORIGINS),
  /** The prompt template (model) or strategy (builtin) that produced it. */
  strategy: z.string(),
  /** Ids of the sample documents shown to the model when it wrote this function. */
  sampleDocs: z.array(z.string()).optional(),
});

export type CandidateFunction = z.infer<typeof candidateFunctionSchema>;

/** A synthesis request that gave no usable function, and why. */
export const synthesisFailureSchema = z.object({
  attribute: z.string(),
  request: z.number().int(),
  reason: z.enum(['request-failed', 'pending', 'no-code', 'empty-reply', 'truncated']),
  detail: z.string(),
});

export type SynthesisFailure = z.infer<typeof synthesisFailureSchema>;
