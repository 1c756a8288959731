import type { ModelEvent } from '../model/index.ts';
import type { PipelineEvent } from '../pipeline/events.ts';
import { paint } from './style.ts';

export type ProgressMode = 'live' | 'plain' | 'json' | 'quiet';

export interface Reporter {
  event(event: PipelineEvent): void;
  /** A line for the user (not shown with --quiet; a JSON record with --json). */
  info(message: string): void;
  /** Clear the live line before the final output. */
  stop(): void;
}

/** Live display on a terminal, plain log lines otherwise, JSON lines with --json, nothing with --quiet. */
export function createReporter(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Reporter {
  if (mode === 'quiet') return { event: () => {}, info: () => {}, stop: () => {} };
  if (mode === 'json') {
    return {
      event: (event) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`),
      info: (message) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), type: 'info', message })}\n`),
      stop: () => {},
    };
  }
  const model = createModelTally();
  const progress = { stage: '', done: 0, total: 0, unit: 'docs', started: 0 };
  let lastDraw = 0;
  let lastPlainTenth = -1;
  const live = mode === 'live';
  const clear = () => live && stream.write('\r\x1b[K');
  const line = (text: string) => {
    clear();
    stream.write(`${text}\n`);
  };
  const draw = (force = false) => {
    if (!live) return;
    const now = performance.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const parts: string[] = [];
    if (progress.total > 0) {
      const elapsed = (now - progress.started) / 1000;
      const rate = elapsed > 0 ? progress.done / elapsed : 0;
      const left = rate > 0 ? (progress.total - progress.done) / rate : 0;
      // Time left only once something is done: before that there is no rate to go by.
      parts.push(`${progress.stage} ${progress.done}/${progress.total} ${progress.unit}`, `${formatRate(rate)} ${progress.unit}/s`, progress.done > 0 ? `~${formatSeconds(left)} left` : 'time left: ?');
    } else if (progress.stage) parts.push(progress.stage);
    if (model.answered + model.cached + model.failed + model.inFlight.size > 0) {
      parts.push(`model: ${model.inFlight.size} in flight, ${model.answered} answered, ${model.cached} cached${model.failed ? `, ${model.failed} failed` : ''}`);
      if (model.tokens > 0) parts.push(`${formatTokens(model.tokens)} tokens${model.costUsd === null ? '' : `, $${model.costUsd.toFixed(4)}`}`);
    }
    stream.write(`\r\x1b[K${parts.join(' | ')}`);
  };
  const onModel = (event: ModelEvent) => {
    model.add(event);
    if (event.type === 'failed' && !live) line(paint('red', `model call failed (${event.stage}): ${event.error}`, stream));
    draw();
  };
  return {
    event(event) {
      switch (event.type) {
        case 'model':
          return onModel(event.event);
        case 'notice':
          return line(/^Warning/.test(event.message) ? paint('yellow', event.message, stream) : event.message);
        case 'usage':
          model.tokens = event.promptTokens + event.completionTokens;
          model.costUsd = event.costUsd;
          return draw();
        case 'stage':
          if (event.status === 'start') {
            Object.assign(progress, { stage: event.stage, done: 0, total: 0, started: performance.now() });
            lastPlainTenth = -1;
            if (!live) line(`${event.stage}: started`);
          } else line(`${event.stage}: ${paint('green', event.status === 'resumed' ? 'resumed from the run directory' : 'done', stream)}${event.detail ? ` (${event.detail})` : ''}`);
          return draw(true);
        case 'progress': {
          const unit = event.unit ?? 'documents';
          Object.assign(progress, { stage: event.stage, done: event.done, total: event.total, unit: unit === 'documents' ? 'docs' : unit });
          if (live) return draw();
          const tenth = Math.floor((10 * event.done) / Math.max(1, event.total));
          if (tenth !== lastPlainTenth) {
            lastPlainTenth = tenth;
            line(`${event.stage}: ${event.done}/${event.total} ${unit}`);
          }
          return;
        }
      }
    },
    info: line,
    stop: clear,
  };
}

/**
 * Model calls as the live line counts them. A request is in flight from its first attempt until the endpoint's
 * answer is received (not until it is saved: by then its slot may already carry the next request) or it fails.
 */
export function createModelTally() {
  const tally = { inFlight: new Set<string>(), answered: 0, cached: 0, failed: 0, retries: 0, tokens: 0, costUsd: null as number | null };
  return Object.assign(tally, {
    add(event: ModelEvent): void {
      if (event.type === 'attempt') tally.inFlight.add(event.key);
      else if (event.type === 'retry') tally.retries++;
      else if (event.type === 'received') tally.inFlight.delete(event.key);
      else if (event.type === 'answered') {
        tally.inFlight.delete(event.key);
        if (event.cached) tally.cached++;
        else tally.answered++;
      } else if (event.type === 'failed') {
        tally.inFlight.delete(event.key);
        tally.failed++;
      }
    },
  });
}

function formatTokens(tokens: number): string {
  return tokens < 10_000 ? String(tokens) : `${(tokens / 1000).toFixed(1)}k`;
}

function formatRate(rate: number): string {
  return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
