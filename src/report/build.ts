import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { RUN_FILES } from '../run/index.ts';
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
  const path = join(resolve(runDir), RUN_FILES.report);
  await writeFileAtomic(path, renderReportHtml(data));
  return path;
}

/** Write the review page of a finished run; the table is already written, so a failure here is told, not thrown. */
export async function writeRunReport(runDir: string, say: (message: string) => void): Promise<void> {
  try {
    say(`Report: ${await writeReport(runDir)}`);
  } catch (error) {
    say(`Could not write report.html: ${(error as Error).message}`);
  }
}
