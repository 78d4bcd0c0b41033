/**
 * The nightly job (the Cron Trigger's handler, worker/scheduled.ts): it leaves a half-restored
 * database alone, and it prunes what only serves a short window while the audit log stays.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { recordOverdueSnapshots, nightlyStep, TOWNS_PER_INVOCATION } from '../../worker/scheduled.ts';
import { loadContent, loadTwoTowns } from './helpers.ts';
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

  it('goes through the towns in parts, each invocation within D1’s 1,000 queries, continuing where the last one stopped', async () => {
    await loadTwoTowns();
    const now = Date.parse('2026-03-01T15:50:00Z');
    // The real database, with each query the job sends counted (a batch is one query, as D1 counts them).
    let queries = 0;
    const db = new Proxy(env.DB, {
      get(target, key) {
        if (key === 'batch') return (stmts: D1PreparedStatement[]) => ((queries += 1), target.batch(stmts));
        if (key === 'prepare')
          return (sql: string) => {
            const s = target.prepare(sql);
            const counted = (p: D1PreparedStatement): D1PreparedStatement =>
              new Proxy(p, {
                get(t, k) {
                  if (k === 'bind') return (...args: unknown[]) => counted(t.bind(...args));
                  if (k === 'run' || k === 'all' || k === 'first' || k === 'raw') return (...args: unknown[]) => ((queries += 1), (t as any)[k](...args));
                  const v = (t as any)[k];
                  return typeof v === 'function' ? v.bind(t) : v;
                },
              });
            return counted(s);
          };
        const v = (target as any)[key];
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as D1Database;
    const snapshotTowns = async () => (await env.DB.prepare(`SELECT DISTINCT town_id FROM overdue_snapshots WHERE day = '2026-03-01' ORDER BY town_id`).all<{ town_id: string }>()).results.map((r) => r.town_id);

    // 23:50 CST: the run starts and goes through one town (one per invocation here).
    const first = await nightlyStep(db, now, { start: true, towns: 1 });
    expect(first).toMatchObject({ day: '2026-03-01', towns: ['fengmao'], finished: false });
    expect(await snapshotTowns()).toEqual(['fengmao']);
    // Four bookkeeping queries (the restore marker, starting the run and reading it back, the next towns' ids); the rest is the town's.
    const perTown = queries - 4;
    expect(perTown).toBeLessThanOrEqual(5);
    // At that rate an invocation of TOWNS_PER_INVOCATION towns, and the closing batch, stay within Workers Paid's 1,000 queries.
    expect(4 + perTown * TOWNS_PER_INVOCATION + 1).toBeLessThanOrEqual(1000);

    // The next trigger carries on from the last town done, then the one after finds none left and closes the run.
    const second = await nightlyStep(db, now + 5 * 60_000, { start: false, towns: 1 });
    expect(second).toMatchObject({ day: '2026-03-01', towns: ['othertown'], finished: false });
    const third = await nightlyStep(db, now + 10 * 60_000, { start: false, towns: 1 });
    expect(third).toMatchObject({ day: '2026-03-01', towns: [], finished: true });
    expect(third.pruned).toBeDefined();
    expect(await snapshotTowns()).toEqual(['fengmao', 'othertown']);
    // Both towns' summaries were judged by the run.
    expect(await count(`SELECT COUNT(*) AS n FROM town_summaries WHERE computed_at = '2026-03-01T15:50:00.000Z' OR computed_at = '2026-03-01T15:55:00.000Z'`)).toBe(2);
    // Later triggers of the night find nothing to do; the start of the same day again does nothing either.
    const audit = (await auditRows()).length;
    expect(await nightlyStep(db, now + 15 * 60_000, { start: false, towns: 1 })).toMatchObject({ towns: [], skipped: 'idle' });
    expect(await nightlyStep(db, now, { start: true, towns: 1 })).toMatchObject({ towns: [], skipped: 'idle' });
    expect((await auditRows()).length).toBe(audit);

    // A night whose follow-ups never came is closed when the next night starts, which begins afresh.
    const next = now + 86_400_000;
    expect(await nightlyStep(db, next, { start: true, towns: 1 })).toMatchObject({ day: '2026-03-02', towns: ['fengmao'], finished: false });
    expect(await nightlyStep(db, next + 86_400_000, { start: true, towns: 5 })).toMatchObject({ day: '2026-03-03', towns: ['fengmao', 'othertown'], finished: true });
    expect(await count(`SELECT COUNT(*) AS n FROM nightly_runs WHERE finished_at IS NULL`)).toBe(0);
  });
});
