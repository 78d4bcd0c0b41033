/**
 * A D1 database for the command-line tools, reached one of two ways:
 *
 * - `binding` (a local database): wrangler's getPlatformProxy gives the same D1 binding the Worker
 *   has, over the same local files `wrangler dev` and `wrangler d1 execute --local` use. One
 *   process for the whole run; a batch is one transaction (all or nothing).
 * - `wrangler` (the remote database, or a local one with --through wrangler): one
 *   `wrangler d1 execute` per query or batch; a batch runs as one .sql file.
 *
 * Either way every call is bounded by its caller (one page, one batch); nothing reads a table whole.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderSql, type SqlValue, type Stmt } from '../db/sql.ts';
import { d1Json, ROOT, wrangler, wranglerEnv } from './wrangler.ts';

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
  readonly how: 'binding' | 'wrangler';
  /** A statement's rows as arrays, in the statement's column order. */
  rows(s: Stmt): Promise<SqlValue[][]>;
  /** A statement's rows as objects. */
  objects<T>(s: Stmt): Promise<T[]>;
  /** Several statements' rows as objects (through wrangler, in one call). */
  objectsMany(stmts: Stmt[]): Promise<Record<string, SqlValue>[][]>;
  /** Several statements' rows as arrays (through wrangler, in one call). */
  rowsMany(stmts: Stmt[]): Promise<SqlValue[][][]>;
  /** Runs statements in order; with the binding as one transaction. */
  batch(stmts: Stmt[]): Promise<void>;
  close(): Promise<void>;
}

/** wrangler's arguments for a target. */
export const targetArgs = (t: D1Target): string[] => [t.remote ? '--remote' : '--local', ...(t.persistTo ? ['--persist-to', resolve(t.persistTo)] : [])];

/** Opens the database. */
export async function openD1(t: D1Target): Promise<D1Client> {
  return t.remote || t.throughWrangler ? wranglerClient(targetArgs(t)) : bindingClient(t.persistTo);
}

async function bindingClient(persistTo: string | undefined): Promise<D1Client> {
  Object.assign(process.env, wranglerEnv());
  const { getPlatformProxy } = await import('wrangler');
  const config = ['wrangler.jsonc', 'wrangler.json', 'wrangler.toml'].map((f) => resolve(ROOT, f)).find(existsSync);
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath: config,
    // The same folder wrangler uses: --persist-to DIR keeps D1 under DIR/v3.
    persist: { path: persistTo ? resolve(persistTo, 'v3') : resolve(ROOT, '.wrangler/state/v3') },
    remoteBindings: false,
  });
  const db = proxy.env.DB;
  const bind = (s: Stmt) => db.prepare(s.sql).bind(...s.params);
  return {
    how: 'binding',
    rows: async (s) => (await bind(s).raw()) as SqlValue[][],
    objects: async <T>(s: Stmt) => (await bind(s).all<T>()).results,
    objectsMany: async (stmts) => Promise.all(stmts.map(async (s) => (await bind(s).all<Record<string, SqlValue>>()).results)),
    rowsMany: async (stmts) => Promise.all(stmts.map(async (s) => (await bind(s).raw()) as SqlValue[][])),
    batch: async (stmts) => void (stmts.length && (await db.batch(stmts.map(bind)))),
    close: () => proxy.dispose(),
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
