/**
 * Base64 decoding for the bundled `entities` package, which decodes its tables with the web `atob`.
 * Bare V8 has no `atob`; esbuild injects this one into the bundle instead of adding a global.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function atob(input: string): string {
  const clean = input.replace(/[\s=]/g, '');
  let out = '';
  let bits = 0;
  let buffer = 0;
  for (let i = 0; i < clean.length; i++) {
    const value = ALPHABET.indexOf(clean.charAt(i));
    if (value < 0) throw new Error(`invalid base64 character at ${i}`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
