/**
 * A small streaming reader for gzip-compressed tar archives (ustar, with the pax and GNU long-name
 * extensions), enough to unpack a benchmark's `docs.tar.gz` without a new dependency. Only regular
 * files and directories are written; links and devices are reported as skipped, and so is any
 * member whose path would leave the destination.
 */
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

export interface TarExtraction {
  /** Paths of the files written, relative to the destination, with `/` separators. */
  files: string[];
  /** Members not written, each with the reason. */
  skipped: { path: string; reason: string }[];
}

const BLOCK = 512;

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function numeric(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  // GNU base-256: high bit of the first byte set, big-endian two's complement in the rest.
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i += 1) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(block, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === numeric(block, 148, 8);
}

/** Parses pax extended-header records: `<length> <key>=<value>\n`, length counting the whole record. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(data.subarray(at, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

/** The member path made relative and checked to stay inside the destination; null when it would not. */
function safeRelative(name: string): string | null {
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) return null;
  return parts.join('/');
}

/** Buffers stream chunks and hands out exact byte counts without copying more than needed. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns up to `n` bytes (fewer only if fewer are buffered). */
  take(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = Math.min(n, this.length);
    this.length -= need;
    while (need > 0) {
      const head = this.chunks[0]!;
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

type Member = { name: string; type: string; size: number };

/**
 * Unpacks `archive` (a .tar.gz) into `destination`, streaming, so archives larger than memory work.
 * Throws with the archive's path when it is not gzip or not a tar.
 */
export async function extractTarGz(archive: string, destination: string): Promise<TarExtraction> {
  const result: TarExtraction = { files: [], skipped: [] };
  const queue = new ByteQueue();
  let member: (Member & { remaining: number; padding: number; data: Buffer[] }) | null = null;
  // Long names and pax headers apply to the member that follows them.
  let nextName: string | null = null;
  let ended = false;

  const finishMember = async (m: Member, data: Buffer): Promise<void> => {
    if (m.type === 'L') {
      nextName = cString(data, 0, data.length);
      return;
    }
    if (m.type === 'x') {
      nextName = paxRecords(data).get('path') ?? nextName;
      return;
    }
    if (m.type === 'g' || m.type === 'K') return;
    const name = nextName ?? m.name;
    nextName = null;
    const relative = safeRelative(name);
    if (relative === null) {
      result.skipped.push({ path: name, reason: 'path leaves the destination folder' });
      return;
    }
    const target = path.join(destination, ...relative.split('/'));
    if (m.type === '5') {
      await mkdir(target, { recursive: true });
    } else if (m.type === '0' || m.type === '\0' || m.type === '7') {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, data);
      result.files.push(relative);
    } else {
      result.skipped.push({ path: name, reason: `unsupported member type '${m.type}' (links and devices are not unpacked)` });
    }
  };

  const drain = async (): Promise<void> => {
    while (!ended) {
      if (member === null) {
        if (queue.length < BLOCK) return;
        const header = queue.take(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          return;
        }
        if (!checksumOk(header)) {
          throw new Error(`${archive}: not a tar archive (bad header checksum at a member boundary); expected a .tar.gz`);
        }
        const prefix = cString(header, 257, 6).startsWith('ustar') ? cString(header, 345, 155) : '';
        const base = cString(header, 0, 100);
        const size = numeric(header, 124, 12);
        member = {
          name: prefix ? `${prefix}/${base}` : base,
          type: String.fromCharCode(header[156]!),
          size,
          remaining: size,
          padding: (BLOCK - (size % BLOCK)) % BLOCK,
          data: [],
        };
      }
      if (member.remaining > 0) {
        if (queue.length === 0) return;
        const part = queue.take(member.remaining);
        member.data.push(part);
        member.remaining -= part.length;
        if (member.remaining > 0) return;
      }
      if (member.padding > 0) {
        if (queue.length === 0) return;
        member.padding -= queue.take(member.padding).length;
        if (member.padding > 0) return;
      }
      const done = member;
      member = null;
      await finishMember(done, done.data.length === 1 ? done.data[0]! : Buffer.concat(done.data));
    }
  };

  const file = createReadStream(archive);
  const input = createGunzip();
  // pipe() does not forward errors; without this an unreadable file would leave the loop waiting.
  file.on('error', (error) => input.destroy(error));
  file.pipe(input);
  try {
    for await (const chunk of input) {
      queue.push(chunk as Buffer);
      await drain();
      if (ended) break;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (code.startsWith('Z_')) {
      throw new Error(`${archive}: could not decompress (${message}); expected a gzip-compressed tar (.tar.gz)`);
    }
    if (code) throw new Error(`${archive}: cannot read the archive (${message})`);
    throw error;
  } finally {
    file.destroy();
    input.destroy();
  }
  if (member !== null) throw new Error(`${archive}: archive is truncated inside member '${(member as Member).name}'`);
  return result;
}
