/**
 * Colour for people at a terminal: through node:util's styleText, which writes escapes only when the stream is
 * a TTY and NO_COLOR is unset (FORCE_COLOR forces them), so logs, pipes and --json stay plain.
 */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export function paint(format: Format, text: string, stream: NodeJS.WriteStream = process.stderr): string {
  return styleText(format, text, { stream });
}

/** A summary with its headline bold and its warnings yellow. */
export function paintSummary(text: string, stream: NodeJS.WriteStream): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? paint('bold', line, stream) : /^(Warning|\d+ shard\(s\) failed)/.test(line) ? paint('yellow', line, stream) : line))
    .join('\n');
}
