/** The corpus cannot be read at all (missing or unreadable folder, nothing to read); a run cannot start. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}
