import { z } from 'zod';

/** A value as a table cell holds it: one or more strings, or null for "the document does not state it". */
export const cellValueSchema = z.array(z.string()).nullable();
export type CellValue = z.infer<typeof cellValueSchema>;
