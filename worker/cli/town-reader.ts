/**
 * Reads the town folders of a content folder for the content loader (./load-content.ts), in order:
 * each folder's files, their digest, and — unless the digest equals the one the database recorded —
 * the town parsed and checked (worker/content/parse.ts's parseTown).
 *
 * With many towns the reading and checking runs in worker threads (issue 23: at 1,000 towns it is
 * about a third of the load's CPU), a few towns ahead of the loader, which meanwhile writes the
 * towns already read: on two cores the two halves overlap. Results still arrive in folder order, so
 * the database is written in the same order as by one thread.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readTownFiles } from '../content/read.ts';
import { parseTown, type ContentGlobals } from '../content/parse.ts';
import type { TownBundle } from '../domain/content.ts';

/** Hex SHA-256 of a prefix and files (sorted by path). */
export function digestFiles(prefix: string, files: Readonly<Record<string, string>>): string {
  const h = createHash('sha256').update(prefix).update('\0');
  for (const k of Object.keys(files).sort()) h.update(k).update('\0').update(files[k]!).update('\0');
  return h.digest('hex');
}

/** One town folder as read. */
export interface TownRead {
  id: string;
  /** The folder holds no content file (not a town). */
  empty: boolean;
  /** Digest of the folder's files under the loader's prefix. */
  digest: string;
  /** The digest equals the recorded one: not parsed. */
  unchanged: boolean;
  /** The parsed, checked town (when changed and valid). */
  town?: TownBundle;
  problems: string[];
}

/** What every read needs: the folder, the digest prefix, the parsed files outside towns/, the recorded digests. */
export interface ReadContext {
  dir: string;
  prefix: string;
  globals: ContentGlobals;
  recorded: Record<string, string>;
}

/** Reads one town folder. */
export function readTown(c: ReadContext, id: string): TownRead {
  const files = readTownFiles(c.dir, id);
  if (!Object.keys(files).length) return { id, empty: true, digest: '', unchanged: false, problems: [] };
  const digest = digestFiles(c.prefix, files);
  if (c.recorded[id] === digest) return { id, empty: false, digest, unchanged: true, problems: [] };
  const r = parseTown(files, id, c.globals);
  return { id, empty: false, digest, unchanged: false, town: r.town, problems: r.problems };
}

/** Towns from which reading in worker threads pays for starting them (~50 ms each). */
const THREADS_FROM = 24;
/** Towns requested ahead of the one the loader waits for: enough to keep the threads busy, few enough to bound memory. */
const AHEAD = 8;

/** An in-order reader of `ids`; `next()` gives the next folder's read. Close it when done. */
export function townReader(c: ReadContext, ids: string[], threads = ids.length >= THREADS_FROM ? Math.min(2, Math.max(1, availableParallelism() - 1)) : 0) {
  let i = 0;
  if (threads === 0) {
    return { next: async (): Promise<TownRead> => readTown(c, ids[i++]!), close: async () => undefined };
  }
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./town-reader-thread.ts', import.meta.url), { workerData: c }));
  const waiting = new Map<number, { resolve: (r: TownRead) => void; reject: (e: Error) => void }>();
  const done = new Map<number, TownRead>();
  let failed: Error | undefined;
  const fail = (e: Error) => {
    failed = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  for (const w of workers) {
    w.on('message', (m: { index: number; read: TownRead }) => {
      const wait = waiting.get(m.index);
      if (wait) {
        waiting.delete(m.index);
        wait.resolve(m.read);
      } else done.set(m.index, m.read);
    });
    w.on('error', fail);
    w.on('exit', (code) => code !== 0 && fail(new Error(`a town reader thread exited with ${code}`)));
  }
  let requested = 0;
  const request = (upTo: number) => {
    for (; requested < Math.min(upTo, ids.length); requested++) workers[requested % threads]!.postMessage({ index: requested, id: ids[requested] });
  };
  return {
    next(): Promise<TownRead> {
      const index = i++;
      request(index + AHEAD);
      if (failed) return Promise.reject(failed);
      const ready = done.get(index);
      if (ready) {
        done.delete(index);
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => waiting.set(index, { resolve, reject }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
