import { EvaporateError } from '../../core/errors.ts';

/** Where the queue lives: a Redis URL, and the queue's name in it (several runs may share one Redis). */
export interface QueueOptions {
  /** `redis://host:port` (or `rediss://`, with user, password and database as Redis URLs write them). */
  url: string;
  /** The BullMQ queue name (default `evaporate`): coordinator and workers must agree on it. */
  name?: string;
}

export const DEFAULT_QUEUE_NAME = 'evaporate';

/**
 * BullMQ connection options for a Redis URL, checked before anything connects. `maxRetriesPerRequest: null` is what
 * BullMQ requires of workers (their blocking reads wait out a dropped connection); ioredis reconnects by itself.
 */
export function connectionOf(url: string): { url: string; maxRetriesPerRequest: null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EvaporateError('invalid-option', `queue: "${url}" is not a URL; give the Redis server as redis://host:port`, { settings: ['queue'] });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new EvaporateError('invalid-option', `queue: "${url}" is not a Redis URL; it must start with redis:// (or rediss:// for TLS)`, { settings: ['queue'] });
  }
  return { url, maxRetriesPerRequest: null };
}

/** A URL with its password masked, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** A run's queue settings: where, and how many documents per shard. */
export interface QueueRunOptions extends QueueOptions {
  /** Documents per shard (default 500). */
  shardSize?: number;
}
