/**
 * External converters: a command the user names turns files of one extension into text or HTML (OCR output,
 * RTF, e-mail, anything evaporate does not read itself), whose standard output becomes the document. The
 * command runs through /bin/sh with `{}` replaced by the file's quoted path; its output is sniffed for markup.
 * A converter that fails, hangs or writes too much costs that file only: a recorded skip saying why.
 */
import { spawn } from 'node:child_process';
import { EvaporateError } from '../core/errors.ts';

export interface Converter {
  /** Lower-case, with its dot: `.rtf`. */
  extension: string;
  /** e.g. `pandoc -t html {}`, `tesseract {} -`. */
  command: string;
}

/** Time a converter may take on one file. */
export const CONVERT_TIMEOUT_MS = 120_000;

/** `.rtf=pandoc -t html {}` (or `rtf=...`) as a converter; a clear error for anything else. */
export function parseConverter(spec: string): Converter {
  const match = /^\s*\.?([\w.+-]+)\s*=\s*(.+)$/.exec(spec);
  if (match === null || !match[2]!.includes('{}')) {
    throw new EvaporateError('invalid-option', `--convert "${spec}": expected <extension>=<command with {} for the file>, e.g. --convert '.rtf=pandoc -t html {}'`, { settings: ['converters'] });
  }
  return { extension: `.${match[1]!.toLowerCase()}`, command: match[2]!.trim() };
}

export function converterFor(converters: readonly Converter[] | undefined, id: string): Converter | undefined {
  const name = id.toLowerCase();
  return converters?.find((converter) => name.endsWith(converter.extension));
}

const quoted = (path: string): string => `'${path.replace(/'/g, `'\\''`)}'`;

/** The command's standard output for the file, or why there is none. */
export function convertFile(converter: Converter, path: string, maxBytes: number, timeoutMs = CONVERT_TIMEOUT_MS): Promise<{ text: string } | { skip: string }> {
  const command = converter.command.replaceAll('{}', quoted(path));
  return new Promise((done) => {
    // In a process group of its own, so that a stop reaches what the shell started too (`sleep`, an OCR engine).
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let stopped: string | undefined;
    const stopGroup = (why?: string) => {
      if (why !== undefined) stopped ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => stopGroup(`took over ${timeoutMs} ms`), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) stopGroup(`wrote more than ${maxBytes} bytes`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    const finish = (result: { text: string } | { skip: string }) => {
      clearTimeout(timer);
      done(result);
    };
    child.on('error', (error) => finish({ skip: `the converter (${converter.command}) could not start: ${error.message}` }));
    child.on('close', (code, signal) => {
      // The shell may end before what it started: stop the rest of its group either way.
      stopGroup();
      const said = `the converter (${converter.command})`;
      if (stopped) return finish({ skip: `${said} ${stopped}` });
      if (code !== 0) return finish({ skip: `${said} failed (${code === null ? `signal ${signal}` : `exit ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}` });
      const text = Buffer.concat(out).toString('utf8');
      finish(text.trim() === '' ? { skip: `${said} wrote nothing` } : { text });
    });
  });
}
