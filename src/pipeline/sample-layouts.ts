/** The sample's layouts as a program records them, and which of them a document being applied belongs to. */
import { decodeSignature, layoutSignature, SAME_LAYOUT, similarity, type CorpusDocument, type LayoutSignature } from '../corpus/index.ts';
import type { Program } from '../run/index.ts';

export interface SampleLayout {
  signature: LayoutSignature;
  layout?: string;
}

export function sampleLayoutsOf(program: Program): SampleLayout[] {
  return (program.sampleLayouts ?? []).flatMap((entry) => {
    const signature = decodeSignature(entry.signature);
    return signature ? [{ signature, ...(entry.layout ? { layout: entry.layout } : {}) }] : [];
  });
}

/** The sample layout a document resembles most, or why its layout counts as not sampled when it resembles none. */
export function nearestLayout(doc: CorpusDocument, layouts: readonly SampleLayout[]): { layout?: string; unsampled?: string } {
  const signature = doc.layout ?? layoutSignature(doc);
  let best = -1;
  let layout: string | undefined;
  for (const known of layouts) {
    const same = similarity(known.signature, signature);
    if (same > best) [best, layout] = [same, known.layout];
  }
  if (best < SAME_LAYOUT) return { unsampled: `layout not sampled: this document resembles no sample document (closest similarity ${best.toFixed(2)}); its values are less certain` };
  return layout ? { layout } : {};
}
