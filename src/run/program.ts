import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { checkAttributeNames } from '../core/attributes.ts';
import { EvaporateError } from '../core/errors.ts';
import { LIBRARY_VERSION } from '../sandbox/index.ts';

const functionSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  origin: z.enum(['model', 'builtin', 'user']).optional(),
  strategy: z.string().optional(),
  sampleDocs: z.array(z.string()).optional(),
  /** Token F1 against the pseudo-labels on the sample. */
  sampleF1: z.number().optional(),
  /** Share of its sample votes that were exactly the pseudo-label: the label model's prior for its accuracy. */
  sampleExact: z.number().optional(),
  /** The label model's estimate of how often this function is right. */
  accuracy: z.number().min(0).max(1).optional(),
  /** Sample layouts (see `sampleLayouts`) where the sample showed it wrong and another function right: it does not vote there. */
  silentOn: z.array(z.string()).optional(),
});

const attributeSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  form: z.string().optional(),
  /** Several values per document, voted value by value. */
  multiple: z.boolean().optional(),
  /** Empty outputs abstain (true) or vote for "no value" (false). */
  abstainOnEmpty: z.boolean().optional(),
  /** Functions whose empty output abstains even when empty outputs are votes. */
  abstainers: z.array(z.string()).optional(),
  functions: z.array(functionSchema),
  /** Why the attribute has no functions (none reached the F1 threshold on the sample), or which columns it absorbed. */
  note: z.string().optional(),
  /** Share of the sample documents that state it (per the pseudo-labels): apply warns when a corpus departs from it. */
  sampleCoverage: z.number().min(0).max(1).optional(),
});

/**
 * A saved extraction program: per attribute, the kept functions and how to combine them. Applying it needs
 * no model. Only names and sources are required, so a hand-written program is valid (majority vote).
 */
export const programSchema = z.object({
  version: z.literal(1).optional(),
  /** 'ws' label model, 'mv' majority vote, 'code' best single function. */
  method: z.enum(['ws', 'mv', 'code']).optional(),
  /** What Date.now() returns inside the sandbox (ms since 1970), so applying the program is reproducible. */
  now: z.number().optional(),
  /**
   * The layout signatures of the sample documents the functions were written and scored on: a document whose
   * layout resembles none of them gets its cells marked "layout not sampled", at lower confidence.
   */
  sampleLayouts: z.array(z.object({ doc: z.string(), signature: z.string(), /** The sample's layout group it is in (`L1`...). */ layout: z.string().optional() })).optional(),
  /** The sandbox library version the functions were written against (`lib` helpers); absent: they use none. */
  library: z.number().int().positive().optional(),
  attributes: z.array(attributeSchema).min(1),
});

export type Program = z.infer<typeof programSchema>;
export type ProgramAttribute = z.infer<typeof attributeSchema>;
export type ProgramFunction = z.infer<typeof functionSchema>;

export class ProgramError extends EvaporateError {
  override name = 'ProgramError';
  constructor(message: string) {
    super('program', message);
  }
}

export async function readProgram(path: string): Promise<Program> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProgramError(`Cannot read program ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    // Editors on some systems save UTF-8 with a byte-order mark, which JSON.parse refuses.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ProgramError(`Program ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseProgram(json, path);
}

export function parseProgram(json: unknown, source = 'program'): Program {
  const parsed = programSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProgramError(`${source} is not a valid program: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  try {
    checkAttributeNames(parsed.data.attributes.map((attribute) => attribute.name), source);
  } catch (error) {
    throw new ProgramError((error as Error).message);
  }
  if ((parsed.data.library ?? 0) > LIBRARY_VERSION) {
    throw new ProgramError(
      `${source} needs version ${parsed.data.library} of the sandbox library; this evaporate has version ${LIBRARY_VERSION}. Upgrade evaporate-ts to apply it.`,
    );
  }
  const ids = parsed.data.attributes.flatMap((attribute) => attribute.functions.map((fn) => fn.id));
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw new ProgramError(`${source}: function id "${duplicate}" is used twice; ids must be unique`);
  return parsed.data;
}

export function writeProgram(path: string, program: Program): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(program, null, 2)}\n`);
}
