import { z } from 'zod';
import { EvaporateError } from './errors.ts';

/** An attribute to extract: its column name, and optionally what it means and the form its values should take. */
export const attributeSpecSchema = z.object({
  name: z.string().min(1),
  /** e.g. "the date the agreement takes effect" */
  description: z.string().optional(),
  /** e.g. "YYYY-MM-DD"; functions are asked to normalize values to it. */
  form: z.string().optional(),
  /** Other labels documents use for it (`released`, `date published`), discovered or given. */
  aliases: z.array(z.string()).optional(),
  /**
   * Several values per document (the parties to a contract, a film's genres): functions are asked for all of them,
   * scored by set F1 and aggregated value by value. Unset: decided from the pseudo-labels (see `isMultiValued`).
   */
  multiple: z.boolean().optional(),
});

export type AttributeSpec = z.infer<typeof attributeSpecSchema>;

export function toAttributeSpec(attribute: string | AttributeSpec): AttributeSpec {
  return typeof attribute === 'string' ? { name: attribute } : attribute;
}

/**
 * Column names an attribute cannot take: `doc` is the document column of every table, and the others are what
 * JavaScript objects (rows, cells, JSON output) treat as something other than a plain key.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['doc', '__proto__', 'constructor', 'prototype']);

/** Names must be unique and not reserved: checked before any work, so a bad list fails at once. */
export function checkAttributeNames(names: readonly string[], where = 'the attributes'): void {
  const reserved = names.filter((name) => RESERVED_NAMES.has(name));
  if (reserved.length > 0) {
    throw new EvaporateError('invalid-option', `${where}: "${reserved[0]}" cannot be an attribute name (reserved: ${[...RESERVED_NAMES].join(', ')}); rename it.`, { settings: ['attributes'] });
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new EvaporateError('invalid-option', `${where}: "${duplicate}" is named twice; each attribute needs its own name.`, { settings: ['attributes'] });
}
