import { z } from 'zod';

/** How a document's bytes are interpreted: markup becomes a cleaned-HTML view, anything else normalized text. */
export type DocumentFormat = 'html' | 'text';

/** A document found in a corpus, before its content is read. */
export interface DocumentRef {
  /** Path relative to the corpus root, with `/` separators; unique within the corpus. */
  id: string;
  /** Absolute path on disk (empty for documents that were passed in memory). */
  path: string;
  format: DocumentFormat;
  /** Size in bytes on disk (or of the UTF-8 content for in-memory documents). */
  bytes: number;
}

/**
 * A document with its view: the one deterministic string that prompts show (in chunks)
 * and that extractor functions receive.
 */
export interface CorpusDocument extends DocumentRef {
  view: string;
  /** Its layout signature (see ./layout.ts), when it was computed with the view. */
  layout?: Uint32Array;
  /** For a PDF: where each page starts in the view (character offsets, page 1 first). */
  pages?: number[];
  /** For a PDF: each view line's offsets and box on its page, six numbers a line (see `LineBoxes` in ./pdf.ts). */
  lines?: number[];
}

export const SKIP_REASONS = ['unreadable', 'binary', 'empty', 'too-large', 'too-complex', 'unparseable', 'outside-root'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A file that was found but not loaded, and why. */
export const skippedFileSchema = z.object({
  id: z.string(),
  path: z.string(),
  reason: z.enum(SKIP_REASONS),
  detail: z.string(),
});
export type SkippedFile = z.infer<typeof skippedFileSchema>;
