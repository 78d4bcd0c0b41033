/** A worker thread of ./town-reader.ts: reads the town folders it is sent, one message each. */
import { parentPort, workerData } from 'node:worker_threads';
import { readTown, type ReadContext } from './town-reader.ts';

const context = workerData as ReadContext;
parentPort!.on('message', (m: { index: number; id: string }) => {
  parentPort!.postMessage({ index: m.index, read: readTown(context, m.id) });
});
