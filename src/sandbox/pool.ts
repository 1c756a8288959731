/** The isolates of a sandbox: one slot per isolate, each replaceable after a death or tampering. */
import type { WorkerSlot } from './batch.ts';
import { startWorker } from './worker.ts';
import type { GuestWorker, WorkerConfig } from './worker.ts';

export interface Pool {
  slots: WorkerSlot[];
  /** Isolates replaced so far. */
  restarts(): number;
  /** CPU time of all isolates so far, replaced ones included (ms). */
  cpuMs(): number;
  close(): void;
}

export async function startPool(size: number, config: WorkerConfig): Promise<Pool> {
  const startups = await Promise.allSettled(Array.from({ length: size }, () => startWorker(config)));
  const failed = startups.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of startups) if (r.status === 'fulfilled') r.value.dispose();
    throw failed.reason;
  }
  const workers = startups.map((r) => (r as PromiseFulfilledResult<GuestWorker>).value);
  let retiredCpuMs = 0;
  let restarts = 0;
  let closed = false;
  const slots = workers.map(
    (_, i): WorkerSlot => ({
      current: async () => workers[i]!,
      restart: async () => {
        workers[i]!.dispose();
        retiredCpuMs += workers[i]!.cpuMs();
        if (closed) throw new Error('the sandbox was closed while documents were still running');
        restarts++;
        workers[i] = await startWorker(config);
        return workers[i]!;
      },
    }),
  );
  return {
    slots,
    restarts: () => restarts,
    cpuMs: () => retiredCpuMs + workers.reduce((sum, w) => sum + w.cpuMs(), 0),
    close: () => {
      closed = true;
      for (const w of workers) w.dispose();
    },
  };
}
