/**
 * Applies the migrations in migrations/ that the database has not recorded.
 *
 * Local (default): in this process, on miniflare's SQLite file (./d1.ts), created where and as
 * miniflare would when it does not exist yet. Each migration runs in one transaction together with
 * its row in wrangler's `d1_migrations` record, in wrangler's order, so a later
 * `wrangler d1 migrations apply DB --local` finds nothing to apply (tests/cli/local-db.test.ts).
 * Remote: `wrangler d1 migrations apply DB --remote`, as before.
 *
 * Usage: node worker/cli/migrate.ts [--local | --remote] [--persist-to DIR]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appliedMigrationsStmt, CREATE_MIGRATIONS_TABLE_SQL, recordMigrationStmt } from '../db/migrations.ts';
import { LocalDatabaseBusyError, openLocalD1, type LocalD1 } from './d1.ts';
import { ROOT, wrangler } from './wrangler.ts';

/** The project's migrations folder (wrangler.toml's migrations_dir). */
export const MIGRATIONS_DIR = resolve(ROOT, 'migrations');

const leadingNumber = (name: string) => parseInt(name.split('_')[0]!, 10);

/** The migration files' names in wrangler's order: by leading number, then by name. */
export function migrationNames(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.sql') && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort((a, b) => {
      const [na, nb] = [leadingNumber(a), leadingNumber(b)];
      if (na !== nb && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
      if (na !== nb && (Number.isFinite(na) || Number.isFinite(nb))) return Number.isFinite(na) ? -1 : 1;
      return a < b ? -1 : a > b ? 1 : 0;
    });
}

/**
 * Applies the unapplied migrations, each in its own transaction with its record row (a failing one
 * is rolled back and the ones before it stay applied, as with wrangler). Returns their names.
 */
export async function applyMigrations(db: LocalD1, dir = MIGRATIONS_DIR): Promise<string[]> {
  db.transaction((tx) => tx.exec(CREATE_MIGRATIONS_TABLE_SQL));
  const applied = new Set((await db.objects<{ name: string }>(appliedMigrationsStmt())).map((m) => m.name));
  const todo = migrationNames(dir).filter((n) => !applied.has(n));
  for (const name of todo) {
    const sql = readFileSync(resolve(dir, name), 'utf8');
    try {
      db.transaction((tx) => {
        tx.exec(sql);
        tx.run(recordMigrationStmt(name));
      });
    } catch (e) {
      throw new Error(`migration ${name} failed and was rolled back (the ones before it stay applied): ${(e as Error).message}`);
    }
  }
  return todo;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { local: { type: 'boolean' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' } } });
  try {
    if (values.remote) {
      if (values.local || values['persist-to']) throw new Error('--remote excludes --local and --persist-to (a local database)');
      wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']);
    } else {
      const db = await openLocalD1(values['persist-to'], { create: true, exclusive: true });
      try {
        const done = await applyMigrations(db);
        console.log(done.length ? `applied ${done.length} migration(s) to the local D1 (${db.file}):\n${done.map((n) => `  ${n}`).join('\n')}` : 'no migrations to apply: the local D1 is up to date');
      } finally {
        await db.close();
      }
    }
  } catch (e) {
    console.error(e instanceof LocalDatabaseBusyError ? e.message : `db:migrate: ${(e as Error).message}`);
    process.exit(1);
  }
}
