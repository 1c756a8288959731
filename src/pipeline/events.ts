import type { ModelEvent } from '../model/index.ts';

export type StageName =
  | 'documents'
  | 'layouts'
  | 'sample'
  | 'schema'
  | 'pseudo-labels'
  | 'synthesis'
  | 'sample-votes'
  | 'scoring'
  | 'apply'
  | 'direct';

/** What a run reports as it goes; the CLI turns these into a progress display or JSON lines. */
export type PipelineEvent =
  | { type: 'stage'; stage: StageName; status: 'start' | 'done' | 'resumed'; detail?: string }
  /** Units done of a stage's total: documents, or for synthesis attributes (default documents). */
  | { type: 'progress'; stage: StageName; done: number; total: number; unit?: 'documents' | 'attributes' }
  | { type: 'notice'; message: string }
  /** Tokens actually spent so far (after each live answer), and their cost when the price is known. */
  | { type: 'usage'; promptTokens: number; completionTokens: number; costUsd: number | null }
  | { type: 'model'; event: ModelEvent };
