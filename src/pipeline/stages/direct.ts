import type { AttributeSpec } from '../../core/attributes.ts';
import type { Corpus, CorpusDocument } from '../../corpus/index.ts';
import { extractDirect } from '../../direct/index.ts';
import type { ModelClient } from '../../model/index.ts';
import { filling, type ResultRow, type RowSink } from '../../run/index.ts';
import type { RunContext } from '../context.ts';
import { stopIfPending } from '../context.ts';
import { timed } from '../stage.ts';
import type { createCellTally } from './table.ts';

/** Documents in flight at once: enough to fill the model's concurrency while rows are written in corpus order. */
const WINDOW = 32;

/** The direct method: the model reads every document (the baseline code+ is measured against). Returns documents per second. */
export async function directStage(
  ctx: RunContext,
  client: ModelClient,
  corpus: Corpus,
  attributes: readonly AttributeSpec[],
  sink: RowSink,
  tally: ReturnType<typeof createCellTally>,
  batchExport: string | undefined,
): Promise<number> {
  const started = performance.now();
  await filling(sink, async () => {
    await timed(ctx, 'direct', async () => {
      const window: Promise<ResultRow>[] = [];
      const flush = async () => {
        const row = await (window.shift() as Promise<ResultRow>);
        tally.add(row);
        await sink.write(row);
        ctx.emit({ type: 'progress', stage: 'direct', done: tally.rows, total: corpus.documents.length });
      };
      for await (const doc of corpus.views()) {
        if (ctx.signal?.aborted) break;
        const row = directRow(doc, attributes, client, ctx.settings.chunkChars);
        // Awaited in order by flush(); until then a rejection (a stop) must not count as unhandled.
        row.catch(() => {});
        window.push(row);
        if (window.length >= WINDOW) await flush();
      }
      while (window.length > 0) await flush();
      ctx.signal?.throwIfAborted();
    });
    await stopIfPending(ctx, batchExport);
  });
  const seconds = (performance.now() - started) / 1000;
  return seconds > 0 ? tally.rows / seconds : 0;
}

async function directRow(doc: CorpusDocument, attributes: readonly AttributeSpec[], client: ModelClient, chunkChars: number): Promise<ResultRow> {
  const result = await extractDirect(doc, attributes, client, { stage: 'direct', chunkChars });
  const cells: ResultRow['cells'] = {};
  for (const attribute of attributes) {
    const value = result.values[attribute.name] ?? null;
    const spans = (value ?? []).flatMap((item): [number, number][] => {
      const start = doc.view.indexOf(item);
      return start < 0 ? [] : [[start, start + item.length]];
    });
    const answered = attribute.name in result.values;
    cells[attribute.name] = { value, confidence: answered ? 1 : 0, voters: answered ? ['direct'] : [], spans, candidates: [] };
  }
  return { doc: doc.id, cells };
}
