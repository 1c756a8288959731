const utf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');
const utf16le = new TextDecoder('utf-16le');
const utf16be = new TextDecoder('utf-16be');

/** Which decoding was applied; kept so a caller can report files that were not clean UTF-8. */
export type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface Decoded {
  text: string;
  encoding: Encoding;
}

/**
 * Decode a file's bytes to text with LF line ends.
 * UTF-8 (with or without BOM) is the norm; a UTF-16 BOM is honoured; bytes that are not valid UTF-8
 * are read as windows-1252, which is what mislabelled "latin-1" pages almost always are.
 */
export function decodeBytes(bytes: Uint8Array): Decoded {
  let text: string;
  let encoding: Encoding;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8-bom';
    text = decodeUtf8OrFallback(bytes.subarray(3), (fallback) => (encoding = fallback));
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    text = utf16le.decode(bytes.subarray(2));
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    text = utf16be.decode(bytes.subarray(2));
  } else if (utf16WithoutBom(bytes) !== null) {
    encoding = utf16WithoutBom(bytes) as 'utf-16le' | 'utf-16be';
    text = (encoding === 'utf-16le' ? utf16le : utf16be).decode(bytes);
  } else {
    encoding = 'utf-8';
    text = decodeUtf8OrFallback(bytes, (fallback) => (encoding = fallback));
  }
  return { text: normalizeNewlines(text), encoding };
}

function decodeUtf8OrFallback(bytes: Uint8Array, onFallback: (encoding: 'windows-1252') => void): string {
  try {
    return utf8.decode(bytes);
  } catch {
    onFallback('windows-1252');
    return windows1252.decode(bytes);
  }
}

/** CRLF and lone CR become LF. */
export function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * UTF-16 that lacks a byte-order mark, told by its pattern: mostly Latin text has a NUL as the high byte of
 * nearly every character, so NULs fill one byte position (odd: little-endian) and almost never the other.
 */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const head = bytes.subarray(0, 8192 - (Math.min(bytes.length, 8192) % 2));
  if (head.length < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = head.length / 2;
  if (oddNul >= 0.7 * pairs && evenNul <= 0.05 * pairs) return 'utf-16le';
  if (evenNul >= 0.7 * pairs && oddNul <= 0.05 * pairs) return 'utf-16be';
  return null;
}

/**
 * True when the bytes look like a binary file: a NUL byte in the first 8 KiB.
 * UTF-16 text (recognised by its BOM, or by where its NULs fall) legitimately contains NULs and is not binary.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || utf16WithoutBom(bytes) !== null) return false;
  const head = bytes.subarray(0, 8192);
  return head.includes(0);
}
