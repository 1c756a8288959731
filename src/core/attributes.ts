import { z } from 'zod';

/** An attribute to extract: its column name, and optionally what it means and the form its values should take. */
export const attributeSpecSchema = z.object({
  name: z.string().min(1),
  /** e.g. "the date the agreement takes effect" */
  description: z.string().optional(),
  /** e.g. "YYYY-MM-DD"; functions are asked to normalize values to it. */
  form: z.string().optional(),
});

export type AttributeSpec = z.infer<typeof attributeSpecSchema>;

export function toAttributeSpec(attribute: string | AttributeSpec): AttributeSpec {
  return typeof attribute === 'string' ? { name: attribute } : attribute;
}
