/** A worker thread of ./town-reader.ts: reads the town folders it is sent, one message each, in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { readTown, type ReadContext, type WireRead, type WireStmt } from './town-reader.ts';

const context = workerData as ReadContext;
const existing = new Set(context.existing);
/** The number of each SQL text sent so far. */
const sent = new Map<string, number>();
let queue = Promise.resolve();

parentPort!.on('message', (m: { index: number; id: string }) => {
  // One town at a time, in the order asked (readTown awaits Web Crypto digests).
  queue = queue.then(async () => {
    const { town, ...rest } = await readTown(context, existing, m.id);
    const texts: string[] = [];
    const number = (sql: string): number => {
      let n = sent.get(sql);
      if (n === undefined) {
        sent.set(sql, (n = sent.size));
        texts.push(sql);
      }
      return n;
    };
    const read: WireRead['read'] = town ? { ...rest, town: { ...town, stmts: town.stmts.map((s): WireStmt => [number(s.sql), s.params]) } } : rest;
    parentPort!.postMessage({ index: m.index, read, texts } satisfies WireRead);
  });
  // A failure ends the thread, which the loader reports (its 'error' event).
  queue.catch((e: unknown) => setImmediate(() => { throw e; }));
});
