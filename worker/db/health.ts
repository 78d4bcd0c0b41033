/** Database reachability and schema version for GET /api/health. */

/** The newest applied migration's name, or null when none is applied. Throws when D1 is unreachable. */
export async function latestMigration(db: D1Database): Promise<{ name: string | null; count: number; contentHash: string | null }> {
  const [m, c] = await db.batch([
    db.prepare(`SELECT name, (SELECT COUNT(*) FROM d1_migrations) AS count FROM d1_migrations ORDER BY id DESC LIMIT 1`),
    db.prepare(`SELECT hash FROM content_loads ORDER BY loaded_at DESC, rowid DESC LIMIT 1`),
  ]);
  const row = m!.results[0] as { name: string; count: number } | undefined;
  const content = c!.results[0] as { hash: string } | undefined;
  return { name: row?.name ?? null, count: row?.count ?? 0, contentHash: content?.hash ?? null };
}

/**
 * The restore in progress, if any (migrations/0011): while `npm run import` has not finished, the
 * database holds only part of a backup and must not be served.
 */
export async function restoreInProgress(db: D1Database): Promise<{ rows_done: number; rows_total: number } | null> {
  return db.prepare(`SELECT rows_done, rows_total FROM restore_progress WHERE id = 1`).first<{ rows_done: number; rows_total: number }>();
}
