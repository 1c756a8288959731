import { discover as runDiscovery, type DiscoverOptions, type DiscoverResult } from '../pipeline/discover.ts';
import { libraryRunDir } from './rows.ts';

/** List the attributes a sample of the documents states. With a model and no `runDir`, the run goes under the user's cache folder. */
export function discover(options: DiscoverOptions): Promise<DiscoverResult> {
  return runDiscovery({ ...options, runDir: options.runDir ?? libraryRunDir() });
}
