import type { SynthMode } from '../core/settings.ts';
import type { UsageReport } from '../model/index.ts';
import type { ExtractResult } from '../pipeline/extract.ts';

/** The end-of-run summary a person reads: rows, per-attribute coverage and confidence, model use, files. */
export function formatSummary(result: ExtractResult, seconds: number): string {
  const lines = [
    `Extracted ${result.rows} rows x ${result.attributes.length} attributes in ${seconds.toFixed(1)} s ` +
      `(method ${result.method}, functions by ${describeSynth(result.synth)})`,
  ];
  const header = ['attribute', 'coverage', 'confidence', 'kept'];
  const rows = result.perAttribute.map((attribute) => [
    attribute.name,
    `${Math.round(attribute.coverage * 100)}%`,
    attribute.meanConfidence.toFixed(2),
    result.method === 'direct'
      ? '-'
      : `${attribute.functionsKept}/${attribute.candidates}${attribute.functionsKept ? ` (${Object.entries(attribute.keptByOrigin).map(([origin, n]) => `${origin} ${n}`).join(', ')})` : ''}`,
  ]);
  lines.push(...table([header, ...rows]).map((line) => `  ${line}`));
  for (const attribute of result.perAttribute) if (attribute.note) lines.push(`  ${attribute.name}: ${attribute.note}`);
  if (result.unsampledLayouts > 0) lines.push(unsampledWarning(result.unsampledLayouts, result.rows));
  if (result.skipped.length > 0) lines.push(`Skipped ${result.skipped.length} file(s): see ${result.runDir}/documents.json`);
  if (result.usage) lines.push(`Model: ${formatUsage(result.usage)}`);
  else lines.push('Model: none (no tokens spent)');
  lines.push(`Table: ${result.tablePath}${result.out ? ` (and ${result.out})` : ''}`, `Cells (confidence, provenance): ${result.cellsPath}`);
  if (result.programPath) lines.push(`Program: ${result.programPath}`);
  lines.push(`Run directory: ${result.runDir}`);
  return lines.join('\n');
}

export function formatUsage(usage: UsageReport): string {
  const total = usage.total;
  const cost = total.costUsd === null ? 'cost unknown (no price for this model)' : `$${total.costUsd.toFixed(4)}`;
  return (
    `${total.calls} calls (${total.liveCalls} live, ${total.cachedCalls} cached${total.failedCalls ? `, ${total.failedCalls} failed` : ''}), ` +
    `${total.promptTokens} prompt + ${total.completionTokens} completion tokens, ${cost}` +
    (total.cachedCalls ? `; reused ${total.cachedPromptTokens + total.cachedCompletionTokens} cached tokens` : '')
  );
}

export function describeSynth(synth: SynthMode | null): string {
  return synth === null ? 'none (direct)' : { model: 'the model', builtin: 'built-in rules (no model)', both: 'the model + built-in rules' }[synth];
}

/** Left-aligned columns separated by two spaces. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

/** The warning for documents of layouts the sample never covered (extract and apply). */
export function unsampledWarning(documents: number, rows: number): string {
  return `Warning: ${documents} of ${rows} document(s) have a layout no sample document has; their cells say "layout not sampled" and carry half the confidence. A larger --sample, or a run over those documents, covers them.`;
}
