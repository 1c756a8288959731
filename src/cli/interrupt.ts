import { killSandboxHosts } from '../sandbox/index.ts';
import { EXIT } from './errors.ts';
import type { Reporter } from './progress.ts';

/**
 * Ctrl-C as a stop request: the first one aborts the returned signal so the work can end cleanly (no partial
 * files, finished stages kept); a second one quits at once. `run` gets the signal; when it fails because of the
 * stop, `stopped` says what to do next and the process exits 130.
 */
export async function untilInterrupted<T>(reporter: Reporter, stopped: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      // At once means at once: process.exit waits for threads (a sandbox host's isolate stuck in a native built-in
      // never ends). Finished stages and answered calls are already on disk.
      process.stderr.write('Quitting at once.\n');
      killSandboxHosts();
      process.kill(process.pid, 'SIGKILL');
    }
    controller.abort();
    reporter.info('Stopping (Ctrl-C again to quit at once)...');
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    reporter.stop();
    process.stderr.write(`${stopped}\n`);
    // Requests still in flight would keep the process alive until they end; their answers are not needed now.
    process.exit(EXIT.interrupted);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
