/** The sample documents as the synthesizer reads them: the same text lines the candidates will see. */
import type { CorpusDocument } from '../../corpus/index.ts';
import { hostFunction } from './runtime.ts';

export interface SampleDoc {
  id: string;
  view: string;
  html: boolean;
  lines: string[];
  /** The lines joined by newlines. */
  text: string;
  /** The lines joined by spaces: prose whose sentences run over line breaks. */
  flow: string;
}

export function readSample(sample: readonly CorpusDocument[]): SampleDoc[] {
  const textLines = hostFunction<(doc: string) => string[]>(['doc'], 'textLines(doc)');
  const isHtml = hostFunction<(doc: string) => boolean>(['doc'], 'isHtml(doc)');
  return sample.map((doc) => {
    const lines = textLines(doc.view);
    const text = lines.join('\n');
    return { id: doc.id, view: doc.view, html: isHtml(doc.view), lines, text, flow: text.replace(/\n/g, ' ') };
  });
}

/** How many sample documents satisfy a predicate. */
export function countDocs(sample: readonly SampleDoc[], test: (doc: SampleDoc) => boolean): number {
  let n = 0;
  for (const doc of sample) if (test(doc)) n += 1;
  return n;
}
