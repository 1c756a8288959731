import type { AttributeSpec } from '../core/attributes.ts';

/** What the user said about an attribute, as lines for a prompt ('' when nothing). */
export function attributeNotes(attribute: AttributeSpec): string {
  return [
    attribute.description ? `Meaning: ${attribute.description.trim()}` : '',
    attribute.form ? `Write values as: ${attribute.form.trim()}` : '',
    attribute.aliases?.length ? `Documents also label it: ${attribute.aliases.map((alias) => alias.replace(/_/g, ' ')).join(', ')}` : '',
    attribute.multiple ? 'A document usually gives several values: return every one, as an array with one string per value, not only the first.' : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Attributes as a bullet list: `- name: description (write values as: form)`. */
export function attributeList(attributes: readonly AttributeSpec[]): string {
  return attributes
    .map((attribute) => {
      const notes = [
        attribute.description?.trim(),
        attribute.form ? `write values as ${attribute.form.trim()}` : undefined,
        attribute.aliases?.length ? `also labelled ${attribute.aliases.map((alias) => alias.replace(/_/g, ' ')).join(', ')}` : undefined,
        attribute.multiple ? 'several values: list every one' : undefined,
      ].filter(Boolean);
      return notes.length > 0 ? `- ${attribute.name}: ${notes.join('; ')}` : `- ${attribute.name}`;
    })
    .join('\n');
}
