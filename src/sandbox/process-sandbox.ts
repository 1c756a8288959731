/**
 * createSandbox: the extractor sandbox as the caller sees it. The isolates live in a child process (./host.ts)
 * started with the flag isolated-vm needs, so any Node process can use the sandbox, and an isolate that crashes
 * its process cannot take the caller with it: the host is replaced, the documents in flight are run again, and a
 * document that takes a host down twice alone gets `crashed` outcomes instead of stopping the run.
 * Documents cross in chunks (tens per message), so the boundary costs per chunk, not per document.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addCounters } from './counters.ts';
import { fromWire, type FromHost, type ToHost } from './host-protocol.ts';
import { resolveOptions } from './options.ts';
import type { DocumentOutcomes, ExtractorSource, Outcome, Sandbox, SandboxCounters, SandboxDocument, SandboxOptions } from './types.ts';

const FIRST_CHUNK_DOCS = 4;
const CHUNK_DOCS = 32;
const CHUNK_CHARS = 4_000_000;
/** Chunks handed to the host ahead of the one being yielded: enough to keep every isolate busy. */
const CHUNKS_AHEAD = 4;
const CLOSE_GRACE_MS = 2_000;

/** The host stopped (crashed, was killed, or its channel broke) while work was given to it. */
class HostStopped extends Error {}

function hostEntry(): string {
  // From the sources the host runs as TypeScript (Node strips the types); an installed package runs its build.
  const here = fileURLToPath(import.meta.url);
  const ts = here.replace(/process-sandbox\.[jt]s$/, 'host.ts');
  return here.endsWith('.ts') && existsSync(ts) ? ts : here.replace(/process-sandbox\.[jt]s$/, 'host.js');
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Ends every sandbox host of this process at once: for a caller about to kill itself, which runs no exit hooks. */
export function killSandboxHosts(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** A host must never outlive its caller, even one that exits without closing its sandboxes. */
function killHostsOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killSandboxHosts);
}

interface Host {
  send(message: ToHost): void;
  /** The next message of a type, or HostStopped when the host ends first. */
  next<T extends FromHost['type']>(type: T): Promise<FromHost & { type: T }>;
  /** Every `rows` and `more` message of the current run. */
  onMessage(listener: (message: FromHost & { type: 'rows' | 'more' }) => void): void;
  /** Keep the caller's event loop alive only while work is in the host. */
  hold(busy: boolean): void;
  close(): Promise<void>;
}

function startHost(): Host {
  killHostsOnExit();
  // Its own process group: a Ctrl-C at the terminal reaches the caller, which decides when the host stops.
  const child = fork(hostEntry(), [], {
    execArgv: ['--no-node-snapshot'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    detached: true,
  });
  live.add(child);
  let stopped: HostStopped | undefined;
  const waiting = new Map<string, { resolve: (m: FromHost) => void; reject: (e: Error) => void }>();
  let runListener: ((message: FromHost & { type: 'rows' | 'more' }) => void) | undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = (reason: string): void => {
    if (stopped) return;
    stopped = new HostStopped(reason);
    live.delete(child);
    for (const w of waiting.values()) w.reject(stopped);
    waiting.clear();
  };
  child.on('message', (message: FromHost) => {
    if (message.type === 'rows' || message.type === 'more') return runListener?.(message);
    const w = waiting.get(message.type) ?? (message.type === 'run-failed' ? waiting.get('run-done') : message.type === 'init-failed' ? waiting.get('ready') : undefined);
    if (!w) return;
    waiting.delete(message.type === 'run-failed' ? 'run-done' : message.type === 'init-failed' ? 'ready' : message.type);
    if (message.type === 'run-failed' || message.type === 'init-failed') w.reject(new Error(message.message));
    else w.resolve(message);
  });
  child.on('exit', (code, signal) => stop(`the sandbox process stopped (${signal ?? `exit code ${code}`})`));
  child.on('error', (error) => stop(`the sandbox process failed: ${error.message}`));
  return {
    send: (message) => {
      if (stopped) throw stopped;
      child.send(message, (error) => {
        if (error) stop(`the sandbox process could not be reached: ${error.message}`);
      });
    },
    next: (type) =>
      stopped
        ? Promise.reject(stopped)
        : new Promise((resolve, reject) => waiting.set(type, { resolve: resolve as (m: FromHost) => void, reject })),
    onMessage: (listener) => {
      runListener = listener;
    },
    hold: (busy) => {
      if (busy) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
    close: async () => {
      if (stopped) return;
      try {
        child.send({ type: 'close' } satisfies ToHost);
      } catch {
        // The channel is already gone; the kill below ends it.
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
      stop('closed');
    },
  };
}

async function initHost(functions: ExtractorSource[], options: SandboxOptions, disabled: string[]): Promise<{ host: Host; ready: FromHost & { type: 'ready' } }> {
  const host = startHost();
  host.hold(true);
  try {
    const ready = host.next('ready');
    host.send({ type: 'init', functions, options, disabled });
    const message = await ready;
    host.hold(false);
    return { host, ready: message };
  } catch (error) {
    await host.close();
    throw error instanceof HostStopped ? new Error(`the sandbox could not start: ${error.message}`) : error;
  }
}

interface Chunk {
  docs: SandboxDocument[];
  /** Set once the host answered. */
  rows?: DocumentOutcomes[];
  sent: boolean;
}

function crashedRow(doc: SandboxDocument, functionIds: string[]): DocumentOutcomes {
  const crashed: Outcome = { kind: 'error', error: 'crashed', message: 'the sandbox process crashed on this document, twice' };
  return { docId: doc.id, outcomes: Object.fromEntries(functionIds.map((id) => [id, crashed])) };
}

export async function createSandbox(functions: ExtractorSource[], options: SandboxOptions = {}): Promise<Sandbox> {
  // Checked here for an early error; `now` is fixed here so a replacement host keeps the same clock.
  const resolved = resolveOptions(options);
  const hostOptions: SandboxOptions = { ...options, now: resolved.now };
  const initial = await initHost(functions, hostOptions, []);
  let host = initial.host;
  const { rejected, functionIds } = initial.ready;
  /** Counters of hosts that stopped, up to their last answered chunk, plus the live host's latest reading. */
  let retired: SandboxCounters[] = [];
  let latest: SandboxCounters | undefined;
  let hostRestarts = 0;
  let running = false;
  let closed = false;

  const counters = (): SandboxCounters => {
    const total = addCounters([...retired, ...(latest ? [latest] : [])]);
    total.isolateRestarts += hostRestarts;
    return total;
  };

  const replaceHost = async (): Promise<void> => {
    if (latest) retired = [...retired, latest];
    latest = undefined;
    hostRestarts++;
    host = (await initHost(functions, hostOptions, counters().disabled)).host;
  };

  async function* run(docs: AsyncIterable<SandboxDocument> | Iterable<SandboxDocument>): AsyncGenerator<DocumentOutcomes> {
    if (closed) throw new Error('this sandbox is closed; create a new one');
    if (running) throw new Error('a run is already in progress on this sandbox; consume or close it before starting another');
    running = true;
    const input = (Symbol.asyncIterator in docs ? docs[Symbol.asyncIterator]() : docs[Symbol.iterator]()) as
      | AsyncIterator<SandboxDocument>
      | Iterator<SandboxDocument>;
    let inputDone = false;
    let chunksRead = 0;
    const readChunk = async (): Promise<SandboxDocument[]> => {
      const chunk: SandboxDocument[] = [];
      let chars = 0;
      const size = chunksRead++ < 2 ? FIRST_CHUNK_DOCS : CHUNK_DOCS;
      while (!inputDone && chunk.length < size && chars < CHUNK_CHARS) {
        const next = await input.next();
        if (next.done) {
          inputDone = true;
          break;
        }
        const doc = next.value;
        if (typeof doc?.view !== 'string' || typeof doc.id !== 'string') throw new TypeError('each document must have a string id and a string view');
        chunk.push({ id: doc.id, view: doc.view, format: doc.format });
        chars += doc.view.length;
      }
      return chunk;
    };

    // Chunks in input order from the oldest not yet yielded; `seq` numbers them within the current host run.
    const queue: Chunk[] = [];
    let bySeq = new Map<number, Chunk>();
    let seq = 0;
    /** The host asked for documents and has not been sent any since. */
    let hungry = false;
    let ended = false;
    let wake: (() => void) | undefined;
    let runDone!: Promise<FromHost & { type: 'run-done' }>;
    const beginRun = (): void => {
      bySeq = new Map();
      hungry = false;
      ended = false;
      host.onMessage((message) => {
        if (message.type === 'more') hungry = true;
        else {
          const chunk = bySeq.get(message.seq);
          if (!chunk) return;
          bySeq.delete(message.seq);
          chunk.rows = message.rows.map((wire, d) => ({
            docId: chunk.docs[d]!.id,
            outcomes: Object.fromEntries(functionIds.map((id, f) => [id, fromWire(wire[f]!)])),
          }));
          latest = message.counters;
        }
        wake?.();
      });
      runDone = host.next('run-done');
      runDone.catch(() => undefined);
      host.send({ type: 'run' });
    };
    const sendChunk = (chunk: Chunk): void => {
      chunk.sent = true;
      hungry = false;
      bySeq.set(seq, chunk);
      host.send({ type: 'chunk', seq: seq++, docs: chunk.docs });
    };
    const endRun = async (discard = false): Promise<void> => {
      if (!ended) host.send({ type: 'run-end', discard });
      ended = true;
      latest = (await runDone).counters;
    };
    const waitForHost = (): Promise<void> =>
      Promise.race([
        new Promise<void>((resolve) => (wake = resolve)),
        runDone.then(() => {
          throw new Error('sandbox host: the run ended before every chunk was answered');
        }),
      ]);
    /**
     * After a host stopped, the chunks it held run one at a time, each as a run of its own so the pool flushes it,
     * until they are through: the one that stops a host again is split, and a document that does so alone is given up.
     */
    const runCarefully = async (): Promise<void> => {
      while (queue.length > 0 && queue.some((chunk) => !chunk.rows)) {
        const index = queue.findIndex((chunk) => !chunk.rows);
        const chunk = queue[index]!;
        try {
          beginRun();
          sendChunk(chunk);
          await endRun();
        } catch (error) {
          if (!(error instanceof HostStopped)) throw error;
          if (chunk.docs.length > 1) queue.splice(index, 1, ...chunk.docs.map((doc): Chunk => ({ docs: [doc], sent: false })));
          else chunk.rows = [crashedRow(chunk.docs[0]!, functionIds)];
          await replaceHost();
          host.hold(true);
        }
      }
    };

    host.hold(true);
    try {
      beginRun();
      for (;;) {
        try {
          if (hungry && !inputDone) {
            const docs = await readChunk();
            if (docs.length > 0) {
              const chunk: Chunk = { docs, sent: false };
              queue.push(chunk);
              sendChunk(chunk);
            }
            if (inputDone && !ended) host.send({ type: 'run-end' });
            ended ||= inputDone;
            continue;
          }
          const head = queue[0];
          if (head?.rows) {
            queue.shift();
            for (const row of head.rows) yield row;
            continue;
          }
          if (!head && inputDone) break;
          await waitForHost();
        } catch (error) {
          if (!(error instanceof HostStopped)) throw error;
          for (const chunk of queue) if (!chunk.rows) chunk.sent = false;
          await replaceHost();
          host.hold(true);
          await runCarefully();
          beginRun();
          if (inputDone) {
            host.send({ type: 'run-end' });
            ended = true;
          }
        }
      }
      await endRun();
    } finally {
      if (!ended || queue.length > 0) {
        // Stopped early (the consumer broke out, or an error): the host drops what it has not started, then the source goes.
        try {
          await endRun(true);
        } catch {
          // A host that stopped has nothing to finish.
        }
      }
      if (!inputDone) await input.return?.();
      host.hold(false);
      running = false;
    }
  }

  return {
    rejected,
    functionIds,
    run,
    counters,
    close: async () => {
      closed = true;
      await host.close();
    },
  };
}
