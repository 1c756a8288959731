/**
 * The sandbox host: a child process started by ./process-sandbox.ts with the flag isolated-vm needs. It owns the
 * isolate pool, so the caller's Node needs no flags and an isolate that takes its process down takes only this one.
 * It ends with the channel: when the caller closes it or dies.
 */
import { createIsolateSandbox } from './sandbox.ts';
import { toWire, type FromHost, type ToHost } from './host-protocol.ts';
import type { Sandbox, SandboxDocument } from './types.ts';

const send = (message: FromHost): void => {
  process.send?.(message);
};

/**
 * Below this many buffered documents the host asks for more: at least one full batch of the pool's (64), so the
 * pool's reader, which waits for a whole batch before it hands back finished ones, is never kept waiting long.
 */
const LOW_WATER_DOCS = 96;

/** Documents handed over chunk by chunk and read by the sandbox's run as one stream; asks for more when it runs low. */
function documentQueue(): { push(docs: SandboxDocument[]): void; end(discard: boolean): void; stream: AsyncIterable<SandboxDocument> } {
  const docs: SandboxDocument[] = [];
  let ended = false;
  let asked = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const askIfLow = (): void => {
    if (ended || asked || docs.length >= LOW_WATER_DOCS) return;
    asked = true;
    send({ type: 'more' });
  };
  return {
    push: (more) => {
      for (const doc of more) docs.push(doc);
      asked = false;
      notify();
      askIfLow();
    },
    end: (discard) => {
      ended = true;
      if (discard) docs.length = 0;
      notify();
    },
    stream: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          askIfLow();
          const doc = docs.shift();
          if (doc !== undefined) yield doc;
          else if (ended) return;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    },
  };
}

/**
 * Fault injection for tests of the recovery in ./process-sandbox.ts: a host given a document whose view contains
 * this text dies at once, as a crash in native code would take it.
 */
const CRASH_ON = process.env.EVAPORATE_SANDBOX_TEST_CRASH_ON;

let sandbox: Sandbox | undefined;
let current: { queue: ReturnType<typeof documentQueue>; chunks: { seq: number; size: number }[] } | undefined;

async function runCurrent(run: NonNullable<typeof current>, box: Sandbox): Promise<void> {
  try {
    let rows: FromHost & { type: 'rows' } = { type: 'rows', seq: -1, rows: [], counters: box.counters() };
    for await (const outcome of box.run(run.queue.stream)) {
      if (rows.seq < 0) rows.seq = run.chunks[0]!.seq;
      rows.rows.push(box.functionIds.map((id) => toWire(outcome.outcomes[id]!)));
      if (rows.rows.length === run.chunks[0]!.size) {
        run.chunks.shift();
        rows.counters = box.counters();
        send(rows);
        rows = { type: 'rows', seq: -1, rows: [], counters: rows.counters };
      }
    }
    send({ type: 'run-done', counters: box.counters() });
  } catch (error) {
    send({ type: 'run-failed', message: (error as Error).message });
  }
}

process.on('message', (message: ToHost) => {
  switch (message.type) {
    case 'init':
      createIsolateSandbox(message.functions, message.options, { disabled: message.disabled }).then(
        (box) => {
          sandbox = box;
          send({ type: 'ready', rejected: box.rejected, functionIds: box.functionIds });
        },
        (error: Error) => send({ type: 'init-failed', message: error.message }),
      );
      return;
    case 'run': {
      if (!sandbox) return send({ type: 'run-failed', message: 'sandbox host: a run before init' });
      current = { queue: documentQueue(), chunks: [] };
      void runCurrent(current, sandbox);
      return;
    }
    case 'chunk':
      if (!current) return send({ type: 'run-failed', message: 'sandbox host: a chunk outside a run' });
      if (message.docs.length === 0) return;
      if (CRASH_ON && message.docs.some((doc) => doc.view.includes(CRASH_ON))) process.kill(process.pid, 'SIGKILL');
      current.chunks.push({ seq: message.seq, size: message.docs.length });
      current.queue.push(message.docs);
      return;
    case 'run-end':
      current?.queue.end(message.discard === true);
      current = undefined;
      return;
    case 'close':
      void sandbox?.close().finally(() => process.exit(0));
      if (!sandbox) process.exit(0);
      return;
  }
});
process.on('disconnect', () => process.exit(0));
