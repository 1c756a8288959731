import type { ErrorCode, ErrorHint } from '../core/errors.ts';

/** Exit codes scripts can rely on. */
export const EXIT = { done: 0, failed: 1, usage: 2, batchPending: 3, partial: 4, interrupted: 130 } as const;

/** The command line was wrong: unknown option, missing argument, bad value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code of a library error. */
export function exitCodeOf(code: ErrorCode): number {
  if (code === 'batch-pending') return EXIT.batchPending;
  if (code === 'table-format' || code === 'invalid-option') return EXIT.usage;
  return EXIT.failed;
}

/** Library option names as the flags that set them. */
const FLAGS: Record<string, string> = {
  attributes: '--attributes (or --schema)',
  model: '--model (or EVAPORATE_MODEL)',
  baseURL: '--base-url',
  synth: '--synth builtin',
  include: '--include',
  exclude: '--exclude',
  runDir: '--run-dir',
  batchImport: '--batch-import <output.jsonl>',
  out: '--out',
  port: '--port',
  corpusRoot: '--corpus',
  converters: '--convert',
};

/** The hint as a line of flags to use, or '' when it has none. */
export function renderHint(hint: ErrorHint, command: string): string {
  const parts: string[] = [];
  if (hint.resume) parts.push(`continue with: evaporate ${command} --resume ${hint.resume}${hint.settings?.includes('batchImport') ? ` ${FLAGS['batchImport']}` : ''}`);
  else if (hint.settings?.length) parts.push(`see ${hint.settings.map((name) => FLAGS[name] ?? `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  return parts.join('; ');
}
