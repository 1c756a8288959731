import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { DocumentRef } from './types.ts';

/**
 * A content digest per document read from disk (sha256, hex, first 32 characters): what tells an updated folder's
 * changed files from unchanged ones, whatever their times say. Files that cannot be read, and in-memory documents,
 * get none. Reads a few files at a time.
 */
export async function contentHashes(documents: readonly DocumentRef[], concurrency = 8): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < documents.length) {
      const ref = documents[next++] as DocumentRef;
      if (!ref.path) continue;
      const digest = await hashFile(ref.path).catch(() => undefined);
      if (digest) hashes.set(ref.id, digest);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, documents.length) }, worker));
  return hashes;
}

function hashFile(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', fail)
      .on('end', () => done(hash.digest('hex').slice(0, 32)));
  });
}
