import { EvaporateError } from '../core/errors.ts';

/** The corpus cannot be read at all (missing or unreadable folder, nothing to read); a run cannot start. */
export class CorpusError extends EvaporateError {
  override name = 'CorpusError';
  constructor(message: string) {
    super('corpus', message);
  }
}
