/**
 * The nightly job (the Cron Trigger's handler, worker/scheduled.ts): it leaves a half-restored
 * database alone, and it prunes what only serves a short window while the audit log stays.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { recordOverdueSnapshots } from '../../worker/scheduled.ts';
import { loadContent } from './helpers.ts';
import { auditRows, signedIn } from './auth-helpers.ts';

const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;

describe('the nightly job', () => {
  it('skips while a restore has not finished: no snapshot, no audit row, nothing pruned', async () => {
    await loadContent();
    await env.DB.prepare(`INSERT INTO login_attempts (key, at, ok) VALUES ('ip:1.2.3.4', '2000-01-01T00:00:00.000Z', 0)`).run();
    await env.DB.prepare(
      `INSERT INTO restore_progress (id, sha256, file, table_name, table_rows, rows_done, rows_total, started_at, updated_at)
       VALUES (1, ?, 'all.ndjson', 'tasks', 12, 340, 1000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z')`,
    ).bind('a'.repeat(64)).run();
    const audit = (await auditRows()).length;
    const result = await recordOverdueSnapshots(env.DB, Date.parse('2026-03-01T17:00:00Z'));
    expect(result.skipped).toBe('restore_incomplete');
    expect(await count(`SELECT COUNT(*) AS n FROM overdue_snapshots`)).toBe(0);
    expect((await auditRows()).length).toBe(audit);
    expect(await count(`SELECT COUNT(*) AS n FROM login_attempts`)).toBe(1);

    await env.DB.prepare(`DELETE FROM restore_progress`).run();
    const done = await recordOverdueSnapshots(env.DB, Date.parse('2026-03-01T17:00:00Z'));
    expect(done.skipped).toBeUndefined();
    expect(await count(`SELECT COUNT(*) AS n FROM overdue_snapshots`)).toBeGreaterThan(0);
  });

  it('prunes expired sessions, old idempotency records and old login attempts, keeping live ones and every audit row', async () => {
    await loadContent();
    const live = await signedIn('reporter');
    const now = Date.parse('2026-03-01T17:00:00Z');
    const day = 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    await env.DB.batch([
      env.DB.prepare(`INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ('old-session', ?, ?, ?)`).bind(live.id, iso(now - 30 * day), iso(now - 29 * day)),
      env.DB.prepare(`INSERT INTO idempotency_keys (account_id, key, request_hash, status, body, created_at) VALUES (?, 'old-key', 'h', 201, '{}', ?), (?, 'new-key', 'h', 201, '{}', ?)`).bind(live.id, iso(now - 30 * day), live.id, iso(now - day)),
      env.DB.prepare(`INSERT INTO login_attempts (key, at, ok) VALUES ('ip:1.2.3.4', ?, 0), ('ip:1.2.3.4', ?, 0)`).bind(iso(now - 2 * day), iso(now - 60_000)),
    ]);
    const audit = (await auditRows()).length;
    const r = await recordOverdueSnapshots(env.DB, now);
    expect(r.pruned).toMatchObject({ sessions: 1, idempotency: 1 });
    expect(await count(`SELECT COUNT(*) AS n FROM sessions WHERE token_hash = 'old-session'`)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = 'new-key'`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM login_attempts WHERE key = 'ip:1.2.3.4'`)).toBe(1);
    // The session signed in just now is live (its expiry is hours ahead of real time, days of the job's clock do not matter here).
    expect(await count(`SELECT COUNT(*) AS n FROM sessions WHERE account_id = '${live.id}'`)).toBe(1);
    expect((await auditRows()).length).toBeGreaterThanOrEqual(audit);
  });
});
