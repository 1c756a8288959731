/**
 * The shared vocabulary of a run, and every default defined once. Options are what a caller may give;
 * `RunSettings` is the same with every default filled in, which is what run.json records, so a changed
 * default shows up as a changed setting on resume.
 */
import { z } from 'zod';
import { attributeSpecSchema } from './attributes.ts';

/** The paper's three methods: the model reads every document, the best single function, or the ensemble. */
export const METHODS = ['direct', 'code', 'code+'] as const;
export type Method = (typeof METHODS)[number];

/** Who writes candidate functions: the model, the built-in rules, or both. */
export const SYNTH_MODES = ['model', 'builtin', 'both'] as const;
export type SynthMode = (typeof SYNTH_MODES)[number];

/** How code+ combines votes: the label model (weak supervision) or majority vote. */
export const AGGREGATIONS = ['ws', 'mv'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const DEFAULTS = {
  method: 'code+' as Method,
  aggregation: 'ws' as Aggregation,
  sampleSize: 10,
  seed: 0,
  functionsPerAttribute: 20,
  topK: 10,
  minF1: 0.5,
  maxAttributes: 20,
  chunkChars: 3000,
  /** Files larger than this are skipped. */
  maxBytes: 20 * 1024 * 1024,
  /** Per function per document. */
  timeoutMs: 100,
} as const;

/** With a model the built-in candidates come free (no tokens) and are scored like the model's; without, they are all there is. */
export function defaultSynth(hasModel: boolean): SynthMode {
  return hasModel ? 'both' : 'builtin';
}

export const runSettingsSchema = z.object({
  /** Absolute corpus folder, or '<in memory>'. */
  documents: z.string(),
  model: z.object({ model: z.string(), baseURL: z.string().nullable() }).nullable(),
  method: z.enum(METHODS),
  synth: z.enum(SYNTH_MODES),
  aggregation: z.enum(AGGREGATIONS),
  /** Named attributes (closed IE); null: discovered from the sample (open IE). */
  attributes: z.array(attributeSpecSchema).nullable(),
  sampleSize: z.number().int().positive(),
  seed: z.number().int(),
  functionsPerAttribute: z.number().int().positive(),
  topK: z.number().int().positive(),
  minF1: z.number().min(0).max(1),
  maxAttributes: z.number().int().positive(),
  chunkChars: z.number().int().positive(),
  include: z.array(z.string()).nullable(),
  exclude: z.array(z.string()).nullable(),
  maxBytes: z.number().int().positive(),
  followLinks: z.boolean().default(false),
  /** Commands that read files of an extension instead of the built-in readers; null: none. */
  converters: z.array(z.object({ extension: z.string(), command: z.string() })).nullable().default(null),
  timeoutMs: z.number().int().positive(),
  /** What Date.now() says inside the sandbox for this run (ms since 1970), so resumes and later applies agree. */
  startedAt: z.number(),
});

export type RunSettings = z.infer<typeof runSettingsSchema>;
