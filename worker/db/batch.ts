/** Runs portable statements against D1. */
import type { Stmt } from './sql.ts';

/** Runs statements atomically as one D1 batch: all or nothing. */
export async function runBatch(db: D1Database, stmts: Stmt[]): Promise<D1Result[]> {
  return db.batch(stmts.map((s) => db.prepare(s.sql).bind(...s.params)));
}
