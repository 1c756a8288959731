/** Markdown rendering of an evaluation, for `evaporate eval` output and benchmark reports. */
import type { EvaluationResult } from './eval-files.ts';
import { worstDocuments, type EvaluationReport } from './evaluate.ts';

const pct = (x: number): string => (100 * x).toFixed(1);

// Cells go inside a Markdown table: pipes escaped, line breaks flattened, long values cut.
function cellText(values: readonly string[] | null, limit = 60): string {
  if (!values || values.length === 0) return '∅';
  const text = values.join('; ').replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** The scores table, pair F1, coverage counts and the `worst` lowest-scoring documents with their values. */
export function renderReportMarkdown(report: EvaluationReport, worst = 10): string {
  const lines: string[] = [];
  lines.push('| attribute | predicted column | text F1 (paper) | strict F1 |', '|---|---|---:|---:|');
  for (const a of report.attributes) lines.push(`| ${a.name} | ${a.column ?? '(none: scored empty)'} | ${pct(a.f1)} | ${pct(a.strictF1)} |`);
  lines.push(`| **average** | | **${pct(report.averageF1)}** | **${pct(report.averageStrictF1)}** |`, '');
  lines.push('Text F1 is the paper metric: a prediction that begins with the gold value is cut to its length (SWDE labels are often prefixes). Strict F1 drops that rule, so over-captured values cost.', '');
  lines.push(
    `Pair F1 ${pct(report.pairs.f1)} (precision ${pct(report.pairs.precision)}, recall ${pct(report.pairs.recall)}).`,
    `Gold documents: ${report.documents.length}; missing from the prediction (scored empty): ${report.missingDocuments.length};` +
      ` predicted rows matching no gold document: ${report.extraDocuments.length}` +
      (report.matchedBySuffix > 0 ? `; matched by path suffix: ${report.matchedBySuffix}` : '') +
      '.',
  );
  const shown = worstDocuments(report, worst).filter((d) => d.meanF1 < 1);
  if (shown.length > 0) {
    lines.push('', `Lowest-scoring documents (${shown.length}):`, '', '| document | mean F1 | attribute | predicted | gold | F1 |', '|---|---:|---|---|---|---:|');
    for (const d of shown) {
      for (const [attribute, cell] of Object.entries(d.cells)) {
        if (cell.f1 === 1) continue;
        lines.push(`| ${d.doc} | ${pct(d.meanF1)} | ${attribute} | ${cellText(cell.pred)} | ${cellText(cell.gold)} | ${pct(cell.f1)} |`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** A full `evaporate eval` report: what was compared, loader warnings, then the scores. */
export function renderEvaluationMarkdown(result: EvaluationResult, worst = 10): string {
  const head = [
    '# Evaluation',
    '',
    `- predicted: \`${result.predPath}\``,
    `- gold: \`${result.goldPath}\`` + (result.setting ? ` (${result.setting.layout} setting ${result.setting.name})` : ''),
  ];
  for (const w of result.warnings) head.push(`- warning: ${w}`);
  return [...head, '', renderReportMarkdown(result.report, worst)].join('\n');
}
