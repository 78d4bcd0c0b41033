/**
 * A D1 database for the command-line tools, reached one of two ways:
 *
 * - `sqlite` (a local database): the SQLite file that `wrangler dev`, `wrangler d1 execute --local`
 *   and miniflare keep under <persist>/v3/d1/miniflare-D1DatabaseObject/, opened in this process
 *   with node:sqlite, foreign keys on as in D1. No workerd, no socket: a page is read straight
 *   into this process and a batch is one SQLite transaction (all or nothing, also when the process
 *   is killed). Stop `npm start` / `wrangler dev` on the same folder before an import. The
 *   database steps of `npm start` (migrations, content, demo accounts) take the file's exclusive
 *   lock, and refuse with a message while workerd has it open; with `create` they make the file
 *   where and as miniflare does.
 * - `wrangler` (the remote database, or a local one with --through wrangler): one
 *   `wrangler d1 execute` per query or batch; a batch runs as one .sql file.
 *
 * Either way every call is bounded by its caller (one page, one batch); nothing reads a table whole.
 *
 * (Until issue 19's budget run, the local path was wrangler's getPlatformProxy. It held a 1,000,000-
 * update export at 974 MB (node 563 + workerd 411) and imported ~170 rows/s: every prepare() and
 * bind() is a synchronous round trip to workerd's ProxyServer, whose heap keeps each bound
 * statement, with its row, until node's garbage collector happens to free the stub.)
 */
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { renderSql, type SqlValue, type Stmt } from '../db/sql.ts';
import { d1Json, ROOT, wrangler } from './wrangler.ts';

/** Where the database is and how to reach it. */
export interface D1Target {
  remote: boolean;
  /** Local D1 folder (as wrangler's --persist-to). */
  persistTo?: string;
  /** Force `wrangler d1 execute` for a local database too (the path --remote takes). */
  throughWrangler?: boolean;
}

/** What the backup needs of a database. */
export interface D1Client {
  /** How it is reached, for messages. */
  readonly how: 'sqlite' | 'wrangler';
  /** A statement's rows as arrays, in the statement's column order. */
  rows(s: Stmt): Promise<SqlValue[][]>;
  /** A statement's rows as objects. */
  objects<T>(s: Stmt): Promise<T[]>;
  /** Several statements' rows as objects (through wrangler, in one call). */
  objectsMany(stmts: Stmt[]): Promise<Record<string, SqlValue>[][]>;
  /** Several statements' rows as arrays (through wrangler, in one call). */
  rowsMany(stmts: Stmt[]): Promise<SqlValue[][][]>;
  /** Runs statements in order, as one transaction. */
  batch(stmts: Stmt[]): Promise<void>;
  close(): Promise<void>;
}

/** A local database opened in this process (node:sqlite on miniflare's file). */
export interface LocalD1 extends D1Client {
  readonly how: 'sqlite';
  /** The SQLite file. */
  readonly file: string;
  /** Runs `fn` as one transaction: SQL text (a migration file) and statements, all or nothing. */
  transaction(fn: (tx: { exec(sql: string): void; run(s: Stmt): void }) => void): void;
  /**
   * Runs `fn` as one transaction that may await between statements (the content loader reads and
   * checks town after town while it writes): all or nothing. Nothing else may use the database
   * until it settles.
   */
  transactionAsync<T>(fn: (tx: { run(s: Stmt): void }) => Promise<T>): Promise<T>;
}

/** How a local database is opened. */
export interface LocalOpenOptions {
  /** Create the file (and its folder) where miniflare would when it does not exist yet. */
  create?: boolean;
  /**
   * Hold SQLite's exclusive lock from opening to closing: refused, with a message that says why,
   * while another process (`wrangler dev`'s workerd serving this folder, a `wrangler d1 execute`)
   * has the database open; and no other process can open it until this one closes it.
   */
  exclusive?: boolean;
}

/** The database is open in another process (SQLITE_BUSY on the exclusive lock). */
export class LocalDatabaseBusyError extends Error {}

/** wrangler's arguments for a target. */
export const targetArgs = (t: D1Target): string[] => [t.remote ? '--remote' : '--local', ...(t.persistTo ? ['--persist-to', resolve(t.persistTo)] : [])];

/** Opens the database. */
export async function openD1(t: D1Target, local: LocalOpenOptions = {}): Promise<D1Client> {
  return t.remote || t.throughWrangler ? wranglerClient(targetArgs(t)) : openLocalD1(t.persistTo, local);
}

/**
 * The D1 id wrangler gives the local database: preview_database_id, else database_id, of the
 * binding DB in wrangler.toml (as wrangler's d1DatabaseEntry).
 */
export function localDatabaseId(toml = readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8')): string {
  for (const block of toml.split(/^\[\[d1_databases\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0]!;
    const val = (k: string) => body.match(new RegExp(`^\\s*${k}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
    if (val('binding') === 'DB') {
      const id = val('preview_database_id') ?? val('database_id');
      if (id) return id;
    }
  }
  throw new Error('wrangler.toml has no [[d1_databases]] binding "DB" with a database_id');
}

/**
 * The file miniflare keeps a local D1 in: the Durable Object id workerd derives from the database
 * id (idFromName in the namespace "miniflare-D1DatabaseObject"), as <id>.sqlite.
 */
export function localDatabaseFile(persistTo: string | undefined, id = localDatabaseId()): string {
  const key = createHash('sha256').update('miniflare-D1DatabaseObject').digest();
  const name = createHmac('sha256', key).update(id).digest().subarray(0, 16);
  const mac = createHmac('sha256', key).update(name).digest().subarray(0, 16);
  const dir = join(persistTo ? resolve(persistTo) : resolve(ROOT, '.wrangler/state'), 'v3/d1/miniflare-D1DatabaseObject');
  return join(dir, `${Buffer.concat([name, mac]).toString('hex')}.sqlite`);
}

/**
 * Opens the local database in this process. `create` makes the file as miniflare does: that path
 * (localDatabaseFile), a WAL-mode SQLite database with nothing else in it; workerd opens it as its
 * own (tests/cli/local-db.test.ts serves one through `wrangler dev`).
 */
export async function openLocalD1(persistTo: string | undefined, opts: LocalOpenOptions = {}): Promise<LocalD1> {
  const file = localDatabaseFile(persistTo);
  const created = !existsSync(file);
  if (created && !opts.create) {
    throw new Error(`no local database at ${file}: run npm run db:migrate${persistTo ? ` -- --persist-to ${persistTo}` : ''} first`);
  }
  if (created) mkdirSync(dirname(file), { recursive: true });
  const { DatabaseSync } = await import('node:sqlite');
  const db: DatabaseSync = new DatabaseSync(file);
  try {
    if (opts.exclusive) {
      // Set before the first read: in WAL mode SQLite then takes the file's exclusive lock at once and
      // keeps it until close(). workerd holds a shared lock while its D1 object has the file open.
      // No statement may read the file before the probe below (PRAGMA cache_size reads the schema).
      db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA busy_timeout = 1000');
      try {
        db.exec('BEGIN EXCLUSIVE; COMMIT');
      } catch (e) {
        if ((e as { errcode?: number }).errcode !== 5) throw e;
        throw new LocalDatabaseBusyError(
          `the local database is open in another process: ${file}\n` +
            `Most likely \`npm start\` or \`wrangler dev\` is serving ${persistTo ? resolve(persistTo) : '.wrangler/state'} (or a wrangler d1 command is running on it). ` +
            'Stop it (Ctrl+C in its terminal) and run this again; nothing was changed.',
        );
      }
      // A cache for the whole database while this process alone holds it (a load of 1,000 towns
      // writes ~170 MB; with SQLite's default 2 MB every index update rereads pages). Only as used.
      db.exec('PRAGMA cache_size = -524288');
    }
    // miniflare's databases are in WAL mode (workerd sets it on every database it creates); a no-op
    // when it already is, and it also mends an empty file a failed first run may have left.
    if (opts.create) db.exec('PRAGMA journal_mode = WAL');
    // synchronous = NORMAL (WAL): a commit is not fsynced; a power cut can lose the last batches but never
    // splits one, and the restore marker moves in the same transaction as its rows.
    db.exec('PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL');
  } catch (e) {
    db.close();
    throw e;
  }
  const cache = new Map<string, StatementSync>();
  const prepared = (s: Stmt) => {
    let p = cache.get(s.sql);
    if (!p) {
      if (cache.size > 200) cache.clear();
      cache.set(s.sql, (p = db.prepare(s.sql)));
    }
    return p;
  };
  const values = (r: Record<string, unknown>): SqlValue[] =>
    Object.values(r).map((v) => {
      if (v instanceof Uint8Array) throw new Error('a BLOB value: the backup format has none');
      return v as SqlValue;
    });
  const objects = <T>(s: Stmt) => prepared(s).all(...s.params) as T[];
  const rows = (s: Stmt) => (prepared(s).all(...s.params) as Record<string, unknown>[]).map(values);
  const transaction: LocalD1['transaction'] = (fn) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      fn({ exec: (sql) => db.exec(sql), run: (s) => void prepared(s).run(...s.params) });
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };
  const transactionAsync: LocalD1['transactionAsync'] = async (fn) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const r = await fn({ run: (s) => void prepared(s).run(...s.params) });
      db.exec('COMMIT');
      return r;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  };
  return {
    how: 'sqlite',
    file,
    transactionAsync,
    rows: async (s) => rows(s),
    objects: async <T>(s: Stmt) => objects<T>(s),
    objectsMany: async (stmts) => stmts.map((s) => objects<Record<string, SqlValue>>(s)),
    rowsMany: async (stmts) => stmts.map(rows),
    transaction,
    async batch(stmts) {
      if (stmts.length) transaction((tx) => stmts.forEach(tx.run));
    },
    close: async () => db.close(),
  };
}

function wranglerClient(target: string[]): D1Client {
  const dir = resolve(ROOT, '.wrangler/tmp');
  return {
    how: 'wrangler',
    rows: async (s) => d1Json<Record<string, SqlValue>>(target, [s])[0]!.map((r) => Object.values(r)),
    objects: async <T>(s: Stmt) => d1Json<T>(target, [s])[0]!,
    objectsMany: async (stmts) => (stmts.length ? d1Json<Record<string, SqlValue>>(target, stmts) : []),
    rowsMany: async (stmts) => (stmts.length ? d1Json<Record<string, SqlValue>>(target, stmts).map((rs) => rs.map((r) => Object.values(r))) : []),
    async batch(stmts) {
      if (!stmts.length) return;
      mkdirSync(dir, { recursive: true });
      const file = resolve(dir, `batch-${process.pid}.sql`);
      writeFileSync(file, stmts.map(renderSql).join('\n') + '\n', { mode: 0o600 });
      try {
        wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--file', file], { quiet: true });
      } finally {
        rmSync(file, { force: true });
      }
    },
    close: async () => undefined,
  };
}
