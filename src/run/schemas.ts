/**
 * The shape of every JSON artifact in a run directory, declared once: each is built from the schemas of the
 * module that computes its parts, and its type is inferred from it.
 */
import { z } from 'zod';
import { candidateSchema, functionScoreSchema, voteOutcomeSchema } from '../aggregate/index.ts';
import { attributeSpecSchema } from '../core/attributes.ts';
import { cellValueSchema } from '../core/cells.ts';
import { METHODS, SYNTH_MODES } from '../core/settings.ts';
import { skippedFileSchema } from '../corpus/types.ts';
import { sandboxCountersSchema } from '../sandbox/types.ts';
import { candidateFunctionSchema, synthesisFailureSchema } from '../synthesis/types.ts';
import { stageUsageSchema } from '../model/index.ts';

/** documents.json: the corpus listing and the files that were found but not loaded. */
export const documentsSchema = z.object({
  root: z.string(),
  documents: z.number().int(),
  skipped: z.array(skippedFileSchema),
  /** Content digest per document id, written with the table: what `--update` compares a grown folder with. */
  hashes: z.record(z.string(), z.string()).optional(),
});
export type DocumentsArtifact = z.infer<typeof documentsSchema>;

/** layouts.json: the layouts (templates) found among a seeded survey of the corpus, and which were sampled. */
export const layoutsSchema = z.object({
  /** Documents whose layout was read: a seeded subset of the corpus, so the cost stays bounded. */
  surveyed: z.number().int(),
  layouts: z.array(
    z.object({
      id: z.string(),
      leader: z.string(),
      docs: z.array(z.string()),
      /** Large enough that the sample must include it. */
      significant: z.boolean(),
    }),
  ),
});
export type LayoutsArtifact = z.infer<typeof layoutsSchema>;

/** sample.json: ids of the documents shown to the model, in sample order. */
export const sampleSchema = z.array(z.string());

/** schema.json: the attributes extracted (named by the user, or discovered, with how often the sample states them). */
export const attributesSchema = z.array(
  attributeSpecSchema.extend({
    /** Discovered only: sample documents that state it. */
    frequency: z.number().int().optional(),
    /** Discovered only: values seen in the sample. */
    examples: z.array(z.string()).optional(),
  }),
);
export type SchemaArtifact = z.infer<typeof attributesSchema>;

/** pseudo-labels.json: the model's direct answers on the sample, attribute -> document -> value. */
export const pseudoLabelsSchema = z.record(z.string(), z.record(z.string(), cellValueSchema));
export type PseudoLabels = z.infer<typeof pseudoLabelsSchema>;

/** candidates.json: every candidate function, deduplicated, and the synthesis requests that gave none. */
export const candidatesSchema = z.object({
  candidates: z.array(candidateFunctionSchema),
  failures: z.array(synthesisFailureSchema),
  /** Exact duplicates dropped (after whitespace and comment clean-up). */
  duplicates: z.number().int(),
});
export type CandidatesArtifact = z.infer<typeof candidatesSchema>;

/** sample-votes.json: what every candidate returned on every sample document, attribute -> doc -> function. */
export const sampleVotesSchema = z.object({
  votes: z.record(z.string(), z.record(z.string(), z.record(z.string(), voteOutcomeSchema))),
  /** Sources that did not compile. */
  rejected: z.array(z.object({ id: z.string(), error: z.string() })),
});
export type SampleVotes = z.infer<typeof sampleVotesSchema>;

const attributeScoresSchema = z.object({
  abstainOnEmpty: z.boolean(),
  /** Kept functions whose empty output abstains although empty outputs are votes (they fire on part of the sample only). */
  abstainers: z.array(z.string()),
  pseudoLabelSource: z.enum(['model', 'agreement']),
  /** Multi-valued: scored by set F1 and voted value by value (given in the schema, or read from the pseudo-labels). */
  multiple: z.boolean().optional(),
  scores: z.array(functionScoreSchema),
  kept: z.array(z.string()),
  dropped: z.array(z.object({ id: z.string(), reason: z.string() })),
  /** Why no function was kept, when none was: the column is then empty. */
  note: z.string().optional(),
  /** Open IE: the attribute whose values this one repeats on the sample; it is left out of the table. */
  mergedInto: z.string().optional(),
  /** Share of the labelled sample documents whose pseudo-label has a value: what apply's drift report compares with. */
  labelCoverage: z.number().optional(),
  /** The sample documents whose pseudo-label has a value (where a function can be seen to be right). */
  labelled: z.array(z.string()).optional(),
});

/** scores.json: each candidate's score on the sample, and which were kept. */
export const scoresSchema = z.object({ attributes: z.record(z.string(), attributeScoresSchema) });
export type Scores = z.infer<typeof scoresSchema>;

export const attributeSummarySchema = z.object({
  name: z.string(),
  /** Share of rows with a value. */
  coverage: z.number(),
  /** Mean confidence of the cells with a value. */
  meanConfidence: z.number(),
  functionsKept: z.number().int(),
  keptByOrigin: z.record(z.string(), z.number()),
  candidates: z.number().int(),
  /** A note on the column: why it is empty (no function was kept), or which columns it absorbed (open IE). */
  note: z.string().optional(),
});
export type AttributeSummary = z.infer<typeof attributeSummarySchema>;

/** summary.json: what a finished run produced, for scripts and the report. */
export const summarySchema = z.object({
  runDir: z.string(),
  method: z.enum(METHODS),
  /** Who wrote the candidate functions; null for the direct method, which writes none. */
  synth: z.enum(SYNTH_MODES).nullable(),
  rows: z.number().int(),
  attributes: z.array(attributeSummarySchema),
  table: z.string(),
  cells: z.string(),
  program: z.string().nullable(),
  skipped: z.array(skippedFileSchema),
  usage: stageUsageSchema.nullable(),
  sandbox: sandboxCountersSchema.nullable(),
  /** Documents the apply (or direct) stage processed per second. */
  applyDocsPerSecond: z.number(),
  stageSeconds: z.record(z.string(), z.number()),
  /** Documents whose layout resembles no sample document's (their cells are marked). */
  unsampledLayouts: z.number().int().optional(),
});
export type Summary = z.infer<typeof summarySchema>;

/**
 * stages.json: per saved stage, the digest of the inputs it was computed from (the settings that matter to
 * it, the prompt texts it sends, and the contents of the artifacts it read). A resumed run reuses a stage's
 * file only while that digest still matches, so it recomputes exactly the stages whose inputs changed.
 */
export const stageDigestsSchema = z.record(z.string(), z.object({ inputs: z.string() }));
