/**
 * One error base for everything the library reports to a caller. `code` is stable (scripts and the CLI branch
 * on it); `hint` names the settings that would fix the problem by their library option names, so the CLI can
 * render them as flags and the library never mentions flags.
 */
export type ErrorCode =
  | 'no-documents'
  | 'corpus'
  | 'needs-model'
  | 'model-config'
  | 'no-attributes'
  | 'batch-pending'
  | 'bad-artifact'
  | 'run-conflict'
  | 'program'
  | 'table-format'
  | 'report'
  | 'invalid-option'
  | 'queue';

export interface ErrorHint {
  /** Settings that would fix the problem, by option name (`model`, `include`, `runDir`, ...). */
  settings?: string[];
  /** A run directory the caller can continue with. */
  resume?: string;
}

export class EvaporateError extends Error {
  override name = 'EvaporateError';
  readonly code: ErrorCode;
  readonly hint: ErrorHint;
  constructor(code: ErrorCode, message: string, hint: ErrorHint = {}) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}
