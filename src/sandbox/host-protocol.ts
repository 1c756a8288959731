/**
 * Messages between a sandbox (./process-sandbox.ts, in the caller's process) and its host process (./host.ts),
 * which runs the isolates. They cross Node's IPC channel with the structured-clone ("advanced") serialization.
 */
import type { DocumentOutcomes, ExtractorSource, SandboxCounters, SandboxDocument, SandboxOptions } from './types.ts';

export type ToHost =
  /** The first message: compile these functions; `disabled` carries over what an earlier host switched off. */
  | { type: 'init'; functions: ExtractorSource[]; options: SandboxOptions; disabled: string[] }
  /** A run starts; its documents follow as chunks. */
  | { type: 'run' }
  /** Documents of the current run, numbered in input order. */
  | { type: 'chunk'; seq: number; docs: SandboxDocument[] }
  /** No more chunks for this run: finish the ones given (with `discard`, only those already in the isolates) and say `run-done`. */
  | { type: 'run-end'; discard?: boolean }
  | { type: 'close' };

export type FromHost =
  /** The run's buffer is low: send the next chunk when there is one. */
  | { type: 'more' }
  | { type: 'ready'; rejected: { id: string; error: string }[]; functionIds: string[] }
  | { type: 'init-failed'; message: string }
  /** Outcomes of one chunk's documents, in its order, and the host's counters after them. */
  | { type: 'rows'; seq: number; rows: DocumentOutcomes[]; counters: SandboxCounters }
  | { type: 'run-done'; counters: SandboxCounters }
  | { type: 'run-failed'; message: string };
