/**
 * Drift: how a corpus a program is applied to departs from the sample it was built on. Per attribute, the share of
 * documents given a value, on documents whose layout resembles a sample document's and on those that resemble none,
 * against the share of sample documents that stated it. A column that goes quiet (or fills up) where the sample said
 * otherwise is the first sign that functions meet pages they were not written for.
 */
import type { Program, ResultRow } from '../run/index.ts';

/** A departure this large (in share of documents) from the sample's coverage is worth a warning. */
export const DRIFT_WARNING = 0.25;

export interface AttributeDrift {
  attribute: string;
  /** Share of sample documents stating it, when the program records it. */
  sample?: number;
  /** Documents of sampled layouts, and the share of them given a value. */
  sampledLayouts: { documents: number; coverage: number };
  /** Documents of layouts no sample document resembles. */
  unsampledLayouts: { documents: number; coverage: number };
  /** Set when coverage departs from the sample's by {@link DRIFT_WARNING} or more. */
  warning?: string;
}

/** Counts rows as they stream past; `report()` gives the drift per attribute. */
export function createDriftTally(program: Program) {
  const counts = new Map(program.attributes.map((a) => [a.name, { sampled: [0, 0], unsampled: [0, 0] }]));
  return {
    add(row: ResultRow): void {
      for (const [name, count] of counts) {
        const cell = row.cells[name];
        const side = cell?.note?.startsWith('layout not sampled') ? count.unsampled : count.sampled;
        side[0] = (side[0] ?? 0) + 1;
        if (cell?.value?.length) side[1] = (side[1] ?? 0) + 1;
      }
    },
    report(): AttributeDrift[] {
      return program.attributes.map((attribute) => {
        const count = counts.get(attribute.name) as { sampled: number[]; unsampled: number[] };
        const share = ([documents = 0, values = 0]: number[]) => ({ documents, coverage: documents ? values / documents : 0 });
        const drift: AttributeDrift = { attribute: attribute.name, sampledLayouts: share(count.sampled), unsampledLayouts: share(count.unsampled) };
        if (attribute.sampleCoverage !== undefined) drift.sample = attribute.sampleCoverage;
        const departures = [
          ['documents of layouts the sample never covered', drift.unsampledLayouts],
          ['documents of sampled layouts', drift.sampledLayouts],
        ] as const;
        for (const [what, side] of departures) {
          if (drift.sample === undefined || side.documents === 0 || Math.abs(side.coverage - drift.sample) < DRIFT_WARNING) continue;
          drift.warning = `${attribute.name} has a value in ${pct(side.coverage)} of ${what}, against ${pct(drift.sample)} of the sample documents`;
          break;
        }
        return drift;
      });
    },
  };
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;
