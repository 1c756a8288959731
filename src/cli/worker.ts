import { startWorker, type WorkerEvent } from '../pipeline/queue/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { defined, intOption, parseOrHelp, stringOption, type CommandSpec } from './options.ts';

export const workerCommand: CommandSpec = {
  name: 'worker',
  usage: 'evaporate worker --queue redis://host:port [--concurrency n] [--isolates n]',
  summary:
    'Take shards of queued apply and extract runs off the queue and run them here, until stopped. Documents and the run\n' +
    'directory must be on a filesystem this machine sees at the same paths. Ctrl-C finishes the shards in hand first.',
  options: ['queue', 'queue-name', 'concurrency', 'isolates', 'lock-ms', 'quiet'],
  help: { concurrency: 'shards worked on at once (default 1; one shard already uses every core)' },
  examples: ['evaporate worker --queue redis://queue-host:6379', 'evaporate worker --queue redis://127.0.0.1:6379 --isolates 4'],
};

export async function runWorker(argv: string[]): Promise<number> {
  const parsed = parseOrHelp(workerCommand, argv);
  if (parsed === null) return EXIT.done;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (see evaporate worker --help)`);
  const url = stringOption(values, 'queue');
  if (url === undefined) throw new UsageError('evaporate worker needs --queue redis://host:port, the Redis the coordinator queues shards on');
  const say = values.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const worker = await startWorker({
    url,
    onEvent: (event) => say(describe(event)),
    ...defined({
      name: stringOption(values, 'queue-name'),
      concurrency: intOption(values, 'concurrency', 1),
      isolates: intOption(values, 'isolates', 1),
      lockMs: intOption(values, 'lock-ms', 1000),
    }),
  });
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        // At once, without waiting on Redis (which may be the reason the first stop is slow).
        say('worker: stopping at once; the shards in hand go back to the queue when their lock lapses');
        process.exit(EXIT.interrupted);
      }
      stopping = true;
      say('worker: finishing the shards in hand, then stopping (Ctrl-C again to stop at once)');
      void worker.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  say('worker: stopped');
  return EXIT.done;
}

function describe(event: WorkerEvent): string {
  switch (event.type) {
    case 'ready':
      return `worker: waiting for shards on ${event.url} (queue ${event.queue})`;
    case 'shard-start':
      return `worker: shard ${event.index} of run ${event.run} (${event.documents} documents)`;
    case 'shard-done':
      return `worker: shard ${event.index} of run ${event.run} done in ${event.seconds.toFixed(1)} s`;
    case 'shard-failed':
      return `worker: shard ${event.index} of run ${event.run} failed: ${event.error}`;
    case 'error':
      return `worker: ${event.message}`;
  }
}
