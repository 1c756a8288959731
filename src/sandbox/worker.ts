/**
 * One isolate with the guest runtime and the compiled extractors, as seen from the host.
 * It knows how to start, call and dispose an isolate and how to read why a call failed;
 * deciding what to do about a failure is ./batch.ts's job.
 */
import ivm from 'isolated-vm';
import v8 from 'node:v8';
import { guestScript } from './bundle.ts';
import { libraryFactorySource } from './library.ts';
import { PROGRESS_BYTES, PROGRESS_INT32_SLOTS, PROGRESS_TIMES_BYTE, Phase, ProgressSlot, ProgressTime } from './protocol.ts';
import type { BatchRequest, BatchResponse, GuestConfig, GuestInspection } from './protocol.ts';

export interface WorkerConfig {
  /** Function bodies (see {@link GuestConfig.sources}). */
  bodies: string[];
  fixedNow: number;
  timeoutMs: number;
  memoryLimitMb: number;
  /** See {@link createIsolate}; 0 leaves isolated-vm's choice. */
  semiSpaceMb: number;
  maxStringLength: number;
  maxArrayItems: number;
}

/** Where the guest was when a call ended abnormally. */
export interface Progress {
  phase: 'idle' | 'in-function' | 'parsing';
  doc: number;
  fn: number;
  /** Host-clock ms since the current function call (or parse) started. */
  callElapsedMs: number;
  parseElapsedMs: number;
}

/** How a call into the guest failed. */
export type CallFailure =
  | { kind: 'timeout'; progress: Progress }
  | { kind: 'died'; progress: Progress; message: string }
  | { kind: 'guest-error'; progress: Progress; message: string };

export type CallResult = { ok: true; response: BatchResponse } | { ok: false; failure: CallFailure };

export interface GuestWorker {
  call(request: BatchRequest, timeoutMs: number): Promise<CallResult>;
  /** After a failed call: the guest's state (see the guest's `inspect`), or undefined if it cannot be asked. */
  inspect(): Promise<GuestInspection | undefined>;
  readonly disposed: boolean;
  /** CPU time spent running this isolate so far (ms); still readable after dispose. */
  cpuMs(): number;
  dispose(): void;
}

const INSPECT_TIMEOUT_MS = 1_000;
let compiledScriptCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

/**
 * isolated-vm sizes the young generation from the memory limit: 2 MB at 128 MB. Every page parsed for `$`
 * then outlives several scavenges and is promoted, and garbage collection took a quarter of the isolate's
 * time on the SWDE benchmark (5% in plain Node). V8 reads --max-semi-space-size when it sets up a heap,
 * and isolated-vm lets that flag override its own sizing, so it is set just around the (synchronous)
 * creation of our isolate and reset at once; Node's own heap is configured long before.
 */
function createIsolate(memoryLimitMb: number, semiSpaceMb: number): ivm.Isolate {
  if (semiSpaceMb <= 0) return new ivm.Isolate({ memoryLimit: memoryLimitMb });
  // Only the maximum: V8 grows the young generation up to it when a workload needs it (measured as fast as
  // also raising the minimum), so isolates with light work do not commit the memory up front.
  v8.setFlagsFromString(`--max-semi-space-size=${semiSpaceMb}`);
  try {
    return new ivm.Isolate({ memoryLimit: memoryLimitMb });
  } finally {
    v8.setFlagsFromString('--max-semi-space-size=0');
  }
}

export async function startWorker(config: WorkerConfig): Promise<GuestWorker> {
  const isolate = createIsolate(config.memoryLimitMb, config.semiSpaceMb);
  try {
    const context = await isolate.createContext();
    // V8's code cache makes every isolate after the first compile the bundle faster.
    const script = await isolate.compileScript(await guestScript(), {
      filename: 'evaporate-sandbox-runtime.js',
      ...(compiledScriptCache ? { cachedData: compiledScriptCache } : { produceCachedData: true }),
    });
    if (!compiledScriptCache && 'cachedData' in script) {
      compiledScriptCache = (script as unknown as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    }
    const guest = (await script.run(context, { reference: true, timeout: 10_000 })) as ivm.Reference<Record<string, unknown>>;
    const setup = (await guest.get('setup', { reference: true })) as ivm.Reference<(c: GuestConfig) => void>;
    const runBatch = (await guest.get('runBatch', { reference: true })) as ivm.Reference<(r: BatchRequest) => BatchResponse>;
    const inspect = (await guest.get('inspect', { reference: true })) as ivm.Reference<() => GuestInspection>;
    const progress = new SharedArrayBuffer(PROGRESS_BYTES);
    const guestConfig: GuestConfig = {
      sources: config.bodies,
      library: libraryFactorySource(),
      progress,
      fixedNow: config.fixedNow,
      timeoutMs: config.timeoutMs,
      maxStringLength: config.maxStringLength,
      maxArrayItems: config.maxArrayItems,
    };
    await setup.apply(undefined, [new ivm.ExternalCopy(guestConfig).copyInto()], { timeout: 30_000 });
    return wrapWorker(isolate, runBatch, inspect, progress);
  } catch (e) {
    if (!isolate.isDisposed) isolate.dispose();
    throw new Error(`could not start a sandbox isolate: ${(e as Error).message}`, { cause: e });
  }
}

function readProgress(progress: SharedArrayBuffer): Progress {
  const ints = new Int32Array(progress, 0, PROGRESS_INT32_SLOTS);
  const times = new Float64Array(progress, PROGRESS_TIMES_BYTE, 2);
  const now = Date.now();
  const phase = ints[ProgressSlot.phase];
  return {
    phase: phase === Phase.inFunction ? 'in-function' : phase === Phase.parsing ? 'parsing' : 'idle',
    doc: ints[ProgressSlot.doc]!,
    fn: ints[ProgressSlot.fn]!,
    callElapsedMs: now - times[ProgressTime.callStarted]!,
    parseElapsedMs: now - times[ProgressTime.parseStarted]!,
  };
}

function wrapWorker(
  isolate: ivm.Isolate,
  runBatch: ivm.Reference<(r: BatchRequest) => BatchResponse>,
  inspect: ivm.Reference<() => GuestInspection>,
  progress: SharedArrayBuffer,
): GuestWorker {
  const ints = new Int32Array(progress, 0, PROGRESS_INT32_SLOTS);
  let lastCpuMs = 0;
  const cpuMs = (): number => {
    if (!isolate.isDisposed) lastCpuMs = Number(isolate.cpuTime) / 1e6;
    return lastCpuMs;
  };
  return {
    get disposed() {
      return isolate.isDisposed;
    },
    cpuMs,
    dispose() {
      cpuMs();
      if (!isolate.isDisposed) isolate.dispose();
    },
    async inspect() {
      // A promise that user code rejected without a handler, during a call that was then stopped, fails the
      // next call instead (isolated-vm reports it when a call ends); that is why a second attempt can succeed.
      for (let attempt = 0; attempt < 2 && !isolate.isDisposed; attempt++) {
        try {
          return (await inspect.apply(undefined, [], { timeout: INSPECT_TIMEOUT_MS, result: { copy: true } })) as GuestInspection;
        } catch (e) {
          // Runaway promise jobs left by the failed call: no answer, which is not evidence of anything.
          if (/timed out/i.test((e as Error).message)) return undefined;
        }
      }
      return undefined;
    },
    async call(request, timeoutMs) {
      ints[ProgressSlot.phase] = Phase.idle;
      try {
        const response = (await runBatch.apply(undefined, [request], {
          timeout: timeoutMs,
          arguments: { copy: true },
          result: { copy: true },
        })) as BatchResponse;
        return { ok: true, response };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const at = readProgress(progress);
        if (isolate.isDisposed) return { ok: false, failure: { kind: 'died', progress: at, message } };
        if (/timed out/i.test(message)) return { ok: false, failure: { kind: 'timeout', progress: at } };
        return { ok: false, failure: { kind: 'guest-error', progress: at, message } };
      }
    },
  };
}
