/** Entry point of a view-building thread (see ./view-threads.ts): reads files and builds their views. */
import { parentPort, workerData } from 'node:worker_threads';
import { layoutSignature } from './layout.ts';
import type { Converter } from './convert.ts';
import { loadFile } from './load.ts';
import type { ViewTask, ViewTaskResult } from './view-threads.ts';

const port = parentPort;
if (port === null) throw new Error('view-thread.ts runs as a worker thread of view-threads.ts');
const { maxBytes, layouts, converters } = workerData as { maxBytes: number; layouts: boolean; converters?: Converter[] };

port.on('message', (task: ViewTask) => {
  void loadFile(task.ref, maxBytes, converters).then((entry) => {
    const result: ViewTaskResult = 'view' in entry && layouts ? { id: task.id, entry: { ...entry, layout: layoutSignature(entry) } } : { id: task.id, entry };
    port.postMessage(result);
  });
});
