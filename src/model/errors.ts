import { EvaporateError } from '../core/errors.ts';

/**
 * Configuration problems that must stop a run before it spends anything: a bad key, an unknown
 * model, an endpoint that cannot be reached, an invalid setting. Per-request failures are not
 * errors; `ModelClient.chat` reports them as outcomes so the run can go on.
 */
export type ModelConfigProblem = 'invalid-setting' | 'missing-key' | 'auth' | 'unknown-model' | 'unreachable' | 'bad-endpoint';

export class ModelConfigError extends EvaporateError {
  override name = 'ModelConfigError';
  readonly problem: ModelConfigProblem;

  /** `message` is one line: what is wrong and what to do about it. */
  constructor(problem: ModelConfigProblem, message: string) {
    super('model-config', message);
    this.problem = problem;
  }
}
