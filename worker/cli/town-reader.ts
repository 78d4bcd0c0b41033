/**
 * Reads the town folders of a content folder for the content loader (./load-content.ts), in order:
 * each folder's files and their digest, and — unless the digest equals the one the database
 * recorded — the town parsed and checked (worker/content/parse.ts's parseTown), its part of the
 * content hash and its statements (worker/db/content.ts).
 *
 * With many towns this runs in worker threads (issue 23: at 1,000 towns reading, checking and
 * building statements are most of the load's CPU), a few towns ahead of the loader, which
 * meanwhile runs the statements of the towns already read: on two cores the two halves overlap.
 * Results still arrive in folder order, so the database is written in the same order as by one
 * thread. A thread sends each statement's SQL text once and then its number (a load of 1,000
 * towns has ~500,000 statements but a few dozen texts).
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readTownFiles } from '../content/read.ts';
import { parseTown, type ContentGlobals } from '../content/parse.ts';
import { townContentStatements, townHash, townLoadSummary, type TownLoadSummary } from '../db/content.ts';
import type { SqlValue, Stmt } from '../db/sql.ts';

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
  problems: string[];
  /** When changed and valid: the town's demo flag, its part of the content hash, its audit line and statements. */
  town?: { demo: boolean; hash: string; summary: TownLoadSummary; stmts: Stmt[] };
}

/** What every read needs. */
export interface ReadContext {
  dir: string;
  /** Part of every digest (./load-content.ts). */
  prefix: string;
  globals: ContentGlobals;
  /** The digest the database recorded for each town (content_towns). */
  recorded: Record<string, string>;
  /** Towns the database holds rows of (any other is new: townContentStatements' `fresh`). */
  existing: string[];
  now: string;
}

/** Reads one town folder. */
export async function readTown(c: ReadContext, existing: ReadonlySet<string>, id: string): Promise<TownRead> {
  const files = readTownFiles(c.dir, id);
  if (!Object.keys(files).length) return { id, empty: true, digest: '', unchanged: false, problems: [] };
  const digest = digestFiles(c.prefix, files);
  if (c.recorded[id] === digest) return { id, empty: false, digest, unchanged: true, problems: [] };
  const { town: t, problems } = parseTown(files, id, c.globals);
  if (!t) return { id, empty: false, digest, unchanged: false, problems };
  const hash = await townHash(t);
  const stmts = await townContentStatements(t, c.globals, c.now, { digest, hash, fresh: !existing.has(id) });
  return { id, empty: false, digest, unchanged: false, problems, town: { demo: !!t.town.demo, hash, summary: townLoadSummary(t), stmts } };
}

/** A statement as a thread sends it: the number of its SQL text, and its parameters. */
export type WireStmt = [number, SqlValue[]];
/** A read as a thread sends it: statements as WireStmt, with the SQL texts it had not sent before. */
export interface WireRead {
  index: number;
  read: Omit<TownRead, 'town'> & { town?: Omit<NonNullable<TownRead['town']>, 'stmts'> & { stmts: WireStmt[] } };
  texts: string[];
}

/** Towns from which reading in worker threads pays for starting them (~50 ms each). */
const THREADS_FROM = 24;
/** Towns requested ahead of the one the loader waits for: enough to keep the threads busy, few enough to bound memory. */
const AHEAD = 8;

/** Threads to read with: CONTENT_LOAD_THREADS when set (0: none), else one fewer than the cores (at least one, at most two) from THREADS_FROM towns. */
function defaultThreads(towns: number): number {
  const set = process.env.CONTENT_LOAD_THREADS;
  if (set !== undefined && set !== '') return Math.max(0, Math.floor(Number(set)) || 0);
  return towns >= THREADS_FROM ? Math.min(2, Math.max(1, availableParallelism() - 1)) : 0;
}

/** An in-order reader of `ids`; `next()` gives the next folder's read. Close it when done. */
export function townReader(c: ReadContext, ids: string[], threads = defaultThreads(ids.length)): { next(): Promise<TownRead>; close(): Promise<void> } {
  let i = 0;
  const existing = new Set(c.existing);
  if (threads === 0) return { next: () => readTown(c, existing, ids[i++]!), close: async () => undefined };

  const workers = Array.from({ length: threads }, () => new Worker(new URL('./town-reader-thread.ts', import.meta.url), { workerData: c }));
  /** Each thread's SQL texts, by number. */
  const texts = workers.map((): string[] => []);
  const waiting = new Map<number, { resolve: (r: TownRead) => void; reject: (e: Error) => void }>();
  const done = new Map<number, TownRead>();
  let failed: Error | undefined;
  let closing = false;
  const fail = (e: Error) => {
    failed ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  workers.forEach((w, k) => {
    w.on('message', (m: WireRead) => {
      texts[k]!.push(...m.texts);
      const { town, ...rest } = m.read;
      const read: TownRead = town ? { ...rest, town: { ...town, stmts: town.stmts.map(([t, params]) => ({ sql: texts[k]![t]!, params })) } } : rest;
      const wait = waiting.get(m.index);
      if (wait) {
        waiting.delete(m.index);
        wait.resolve(read);
      } else done.set(m.index, read);
    });
    w.on('error', fail);
    w.on('exit', (code) => closing || fail(new Error(`a town reader thread exited with ${code}`)));
  });
  let requested = 0;
  const request = (upTo: number) => {
    for (; requested < Math.min(upTo, ids.length); requested++) workers[requested % threads]!.postMessage({ index: requested, id: ids[requested] });
  };
  return {
    next(): Promise<TownRead> {
      const index = i++;
      request(index + AHEAD);
      const ready = done.get(index);
      if (ready) {
        done.delete(index);
        return Promise.resolve(ready);
      }
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => waiting.set(index, { resolve, reject }));
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
