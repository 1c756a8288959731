/**
 * Prototype of the attribute objects of parsed pages. ../bundle.ts makes htmlparser2 create them with
 * `Object.create(attributesPrototype)` instead of `{}`, so the reflection guards can recognise them at no
 * cost. It adds nothing: lookups, `in`, for-in and JSON behave as on a plain object.
 */
export const attributesPrototype: object = Object.create(Object.prototype) as object;
