/**
 * Messages between a sandbox (./process-sandbox.ts, in the caller's process) and its host process (./host.ts),
 * which runs the isolates. They cross Node's IPC channel with the structured-clone ("advanced") serialization.
 */
import type { WireOutcome } from './protocol.ts';
import type { ExtractorSource, Outcome, SandboxCounters, SandboxDocument, SandboxOptions } from './types.ts';

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
  /**
   * Outcomes of one chunk's documents, in its order (per document one per function, in functionIds order, in the
   * compact wire form: arrays clone several times faster than objects keyed by function id), and the host's counters.
   */
  | { type: 'rows'; seq: number; rows: WireOutcome[][]; counters: SandboxCounters }
  | { type: 'run-done'; counters: SandboxCounters }
  | { type: 'run-failed'; message: string };

export function toWire(o: Outcome): WireOutcome {
  if (o.kind === 'value') return o.value;
  if (o.kind === 'abstain') return null;
  return o.message === undefined ? { error: o.error } : { error: o.error, message: o.message };
}

export function fromWire(w: WireOutcome): Outcome {
  if (w === null) return { kind: 'abstain' };
  if (Array.isArray(w)) return { kind: 'value', value: w };
  return w.message === undefined ? { kind: 'error', error: w.error } : { kind: 'error', error: w.error, message: w.message };
}
