/**
 * Scores a predicted table against a gold table: text F1 per document and attribute, averaged per
 * attribute and then over attributes, plus pair F1 over the same cells. Gold documents missing
 * from the prediction are scored as empty predictions, never dropped.
 */
import type { GoldTable } from './gold.ts';
import { z } from 'zod';
import { strictTextF1, textF1 } from '../text/f1.ts';
import { pairF1, schemaF1AtK, type Prf, type Triple } from './metrics.ts';
import { sameAttributeName } from './names.ts';
import type { PredictedTable } from './table.ts';

export const cellScoreSchema = z.object({
  pred: z.array(z.string()).nullable(),
  gold: z.array(z.string()),
  /** The paper metric (SWDE prefix rule). */
  f1: z.number(),
  /** Without the prefix rule: over-capture costs. */
  strictF1: z.number(),
});
export type CellScore = z.infer<typeof cellScoreSchema>;

export const documentScoreSchema = z.object({
  /** Gold document id. */
  doc: z.string(),
  /** The predicted row's id, when one was matched (it may differ by a leading folder). */
  predDoc: z.string().nullable(),
  /** Mean text F1 over the evaluated attributes. */
  meanF1: z.number(),
  cells: z.record(z.string(), cellScoreSchema),
});
export type DocumentScore = z.infer<typeof documentScoreSchema>;

export const attributeScoreSchema = z.object({
  name: z.string(),
  /** The predicted column scored for it, or null when the prediction has none (all scored empty). */
  column: z.string().nullable(),
  /** Mean text F1 over gold documents (the paper metric). */
  f1: z.number(),
  /** Mean strict text F1 (no prefix rule). */
  strictF1: z.number(),
});
export type AttributeScore = z.infer<typeof attributeScoreSchema>;

const prfSchema = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

/** A predicted table scored against gold (bench writes it into the run directory as evaluation.json). */
export const evaluationReportSchema = z.object({
  attributes: z.array(attributeScoreSchema),
  /** Mean of the attribute F1s. */
  averageF1: z.number(),
  /** Mean of the attribute strict F1s. */
  averageStrictF1: z.number(),
  /** Pair F1 over (document, attribute, value) facts of the evaluated cells. */
  pairs: prfSchema,
  /** One entry per gold document, in gold order. */
  documents: z.array(documentScoreSchema),
  /** Gold documents with no predicted row; each was scored as an empty prediction. */
  missingDocuments: z.array(z.string()),
  /** Predicted rows that match no gold document (ignored). */
  extraDocuments: z.array(z.string()),
  /** Gold documents whose predicted row was found by path suffix rather than by exact id. */
  matchedBySuffix: z.number(),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

export interface EvaluateOptions {
  /** Evaluate only these gold attributes (names matched leniently); default all gold attributes. */
  attributes?: string[];
}

/**
 * Finds each gold document's predicted row: by exact id, else by path suffix in either direction,
 * so a run over `setting/` (ids `docs/0001.txt`) or gold keyed by absolute paths still line up.
 */
function matchDocuments(goldIds: Iterable<string>, predIds: Iterable<string>): Map<string, string> {
  const pred = new Set(predIds);
  const bySuffix = new Map<string, string[]>();
  for (const id of pred) {
    const parts = id.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const suffix = parts.slice(i).join('/');
      const ids = bySuffix.get(suffix);
      if (ids) ids.push(id);
      else bySuffix.set(suffix, [id]);
    }
  }
  const matches = new Map<string, string>();
  for (const gold of goldIds) {
    if (pred.has(gold)) {
      matches.set(gold, gold);
      continue;
    }
    const longer = bySuffix.get(gold);
    if (longer?.length === 1) {
      matches.set(gold, longer[0]!);
      continue;
    }
    const parts = gold.split('/');
    for (let i = 1; i < parts.length; i += 1) {
      const suffix = parts.slice(i).join('/');
      if (pred.has(suffix)) {
        matches.set(gold, suffix);
        break;
      }
    }
  }
  return matches;
}

function resolveAttributes(gold: GoldTable, requested: string[] | undefined): string[] {
  if (gold.attributes.length === 0) throw new Error('the gold table has no attributes to evaluate');
  if (!requested) return gold.attributes;
  return requested.map((name) => {
    const match = gold.attributes.find((a) => a === name) ?? gold.attributes.find((a) => sameAttributeName(a, name));
    if (match === undefined) {
      throw new Error(`attribute '${name}' is not in the gold table (gold attributes: ${gold.attributes.join(', ')})`);
    }
    return match;
  });
}

function columnFor(attribute: string, columns: readonly string[]): string | null {
  return columns.find((c) => c === attribute) ?? columns.find((c) => sameAttributeName(c, attribute)) ?? null;
}

export function evaluateTable(pred: PredictedTable, gold: GoldTable, options: EvaluateOptions = {}): EvaluationReport {
  const attributes = resolveAttributes(gold, options.attributes);
  const columns = [...new Set([...pred.values()].flatMap((row) => Object.keys(row)))];
  const columnOf = new Map(attributes.map((a) => [a, columnFor(a, columns)]));

  const matches = matchDocuments(gold.rows.keys(), pred.keys());
  const documents: DocumentScore[] = [];
  const missingDocuments: string[] = [];
  const predTriples: Triple[] = [];
  const goldTriples: Triple[] = [];
  const sums = new Map(attributes.map((a) => [a, 0]));
  const strictSums = new Map(attributes.map((a) => [a, 0]));
  for (const [doc, goldRow] of gold.rows) {
    const predDoc = matches.get(doc) ?? null;
    const predRow = predDoc === null ? undefined : pred.get(predDoc);
    if (predDoc === null) missingDocuments.push(doc);
    const cells: Record<string, CellScore> = {};
    let total = 0;
    for (const attribute of attributes) {
      const column = columnOf.get(attribute) ?? null;
      const predCell = column === null ? null : (predRow?.[column] ?? null);
      const goldCell = goldRow[attribute] ?? [];
      const f1 = textF1(predCell, goldCell);
      const strictF1 = strictTextF1(predCell, goldCell);
      cells[attribute] = { pred: predCell, gold: goldCell, f1, strictF1 };
      sums.set(attribute, (sums.get(attribute) ?? 0) + f1);
      strictSums.set(attribute, (strictSums.get(attribute) ?? 0) + strictF1);
      total += f1;
      if (predCell) predTriples.push({ doc, attribute, value: predCell });
      goldTriples.push({ doc, attribute, value: goldCell });
    }
    documents.push({ doc, predDoc, meanF1: total / attributes.length, cells });
  }

  const count = gold.rows.size;
  const attributeScores = attributes.map((name) => ({
    name,
    column: columnOf.get(name) ?? null,
    f1: count === 0 ? 0 : (sums.get(name) ?? 0) / count,
    strictF1: count === 0 ? 0 : (strictSums.get(name) ?? 0) / count,
  }));
  const matchedPred = new Set(matches.values());
  return {
    attributes: attributeScores,
    averageF1: attributeScores.reduce((s, a) => s + a.f1, 0) / attributeScores.length,
    averageStrictF1: attributeScores.reduce((s, a) => s + a.strictF1, 0) / attributeScores.length,
    pairs: pairF1(predTriples, goldTriples),
    documents,
    missingDocuments,
    extraDocuments: [...pred.keys()].filter((id) => !matchedPred.has(id)),
    matchedBySuffix: [...matches].filter(([g, p]) => g !== p).length,
  };
}

/** The documents with the lowest mean F1 (ties by id), for showing where a method fails. */
export function worstDocuments(report: EvaluationReport, n: number): DocumentScore[] {
  return [...report.documents].sort((a, b) => a.meanF1 - b.meanF1 || a.doc.localeCompare(b.doc)).slice(0, n);
}

export interface OpenEvaluation {
  /** Every predicted (document, attribute, value) triple against every gold one (METHOD.md pair F1). */
  pairs: Prf;
  /** Predicted attribute names (in the order given, best first) against the gold names, at k = the gold's count. */
  schema: Prf;
  k: number;
}

/**
 * Open IE scoring: the predicted table's columns are whatever attributes were discovered, so every predicted
 * triple counts (a column matching no gold attribute only costs precision), names are matched leniently.
 */
export function evaluateOpenTable(pred: PredictedTable, gold: GoldTable, predictedAttributes: readonly string[]): OpenEvaluation {
  const matches = matchDocuments(gold.rows.keys(), pred.keys());
  const predTriples: Triple[] = [];
  const goldTriples: Triple[] = [];
  for (const [doc, goldRow] of gold.rows) {
    for (const attribute of gold.attributes) goldTriples.push({ doc, attribute, value: goldRow[attribute] ?? [] });
    const predDoc = matches.get(doc);
    const predRow = predDoc === undefined ? undefined : pred.get(predDoc);
    for (const [attribute, value] of Object.entries(predRow ?? {})) if (value && value.length > 0) predTriples.push({ doc, attribute, value });
  }
  const k = gold.attributes.length;
  return { pairs: pairF1(predTriples, goldTriples), schema: schemaF1AtK(predictedAttributes, gold.attributes, k), k };
}