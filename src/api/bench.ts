import { bench as runBench, type BenchOptions, type BenchReport } from '../pipeline/bench.ts';
import { writeRunReport } from '../report/index.ts';

export interface LibraryBenchOptions extends Omit<BenchOptions, 'onRunDone'> {
  /** Write each run's report.html, with F1 and the worst documents (default true). */
  report?: boolean;
}

/** Run each method on a benchmark with gold, score it, and write reports (and each run's review page). */
export function bench(options: LibraryBenchOptions): Promise<{ reports: BenchReport[]; files: string[] }> {
  const { report, ...rest } = options;
  const say = (message: string) => options.onEvent?.({ type: 'notice', message });
  return runBench({ ...rest, ...((report ?? true) ? { onRunDone: (runDir: string) => writeRunReport(runDir, say) } : {}) });
}
