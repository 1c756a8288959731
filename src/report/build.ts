import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../model/atomic-file.ts';
import { ARTIFACTS } from '../pipeline/run-dir.ts';
import { renderReportHtml } from './html.ts';
import { loadReportData, type LoadedReport } from './load.ts';
import { embedViews, type ViewOptions } from './views.ts';

export type ReportOptions = ViewOptions;

/** Read a run directory and rebuild its documents' views: everything the page embeds. */
export async function buildReport(runDir: string, options: ReportOptions = {}): Promise<LoadedReport> {
  const loaded = await loadReportData(runDir);
  await embedViews(loaded.data, loaded.artifacts, options);
  return loaded;
}

/** Write `report.html` into the run directory and return its path. */
export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const { data } = await buildReport(runDir, options);
  const path = join(resolve(runDir), ARTIFACTS.report);
  await writeFileAtomic(path, renderReportHtml(data));
  return path;
}
