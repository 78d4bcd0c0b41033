/**
 * wrangler's record of applied migrations (`d1_migrations`), written exactly as
 * `wrangler d1 migrations apply` writes it, so that either tool sees the other's work: the table's
 * definition is wrangler's text, and each migration adds one row (id, name, applied_at defaulting
 * to CURRENT_TIMESTAMP) in the same transaction as the migration itself.
 */
import { stmt, type Stmt } from './sql.ts';

/** wrangler's table name (its DEFAULT_MIGRATION_TABLE; wrangler.toml sets no migrations_table). */
export const MIGRATIONS_TABLE = 'd1_migrations';

/** wrangler's CREATE TABLE for the record, byte for byte (sqlite_master keeps the text). */
export const CREATE_MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}"(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`;

/** Names of the applied migrations, in the order they were applied. */
export const appliedMigrationsStmt = (): Stmt => stmt(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY id`);

/** Records one migration as applied. */
export const recordMigrationStmt = (name: string): Stmt => stmt(`INSERT INTO "${MIGRATIONS_TABLE}" (name) VALUES (?)`, name);
