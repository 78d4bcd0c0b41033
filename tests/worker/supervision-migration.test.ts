/**
 * Migration 0006 rebuilds `tasks` (rectification items, optional milestone). On a database that
 * already holds content, updates, history and indicator values, every row must survive with its
 * references intact.
 */
import { describe, expect, it } from 'vitest';
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { loadContent } from './helpers.ts';
import { runBatch } from '../../worker/db/batch.ts';
import { approveStmts, submitStmts, type TaskForUpdate } from '../../worker/db/updates.ts';
import { TARGET_VALUES_SQL, TASK_FACTS_SQL } from '../../worker/db/supervision.ts';

describe('migration 0006 on a populated database', () => {
  it('keeps every task, update and reference while rebuilding tasks', async () => {
    await reset();
    const before0006 = env.TEST_MIGRATIONS.filter((m) => m.name < '0006');
    expect(before0006.length).toBe(5);
    await applyD1Migrations(env.DB, before0006);
    // Today's loader writes the optional facts of migration 0008 (basis_json, nullable as_of): 0008 touches
    // only towns, plans and jurisdictions, not tasks, so it goes in first and is skipped below.
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.filter((m) => m.name.startsWith('0008')));
    // Likewise the plan documents (0013), the search index (0014), regions (0016) and what each town was loaded from (0023): none touches tasks.
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.filter((m) => ['0013', '0014', '0016', '0023'].some((n) => m.name.startsWith(n))));
    // Today's loader also writes the pins of migration 0007 (tasks.console_fields): give the 0005 table
    // that column only while loading, so the database is then exactly a populated 0005 one.
    await env.DB.prepare(`ALTER TABLE tasks ADD COLUMN console_fields TEXT NOT NULL DEFAULT '[]'`).run();
    await loadContent();
    await env.DB.prepare(`ALTER TABLE tasks DROP COLUMN console_fields`).run();
    // Read as a 0005 database holds it (readTaskForUpdate reads columns of later migrations).
    const row = (await env.DB.prepare(`SELECT town_id, id, title, kind, status, percent, version FROM tasks WHERE town_id = 'fengmao' AND id = 'kt1-health-assessment-baseline-survey'`).first<Omit<TaskForUpdate, 'evidence_required' | 'units' | 'indicators' | 'descendants' | 'descendants_fingerprint'>>())!;
    const task: TaskForUpdate = { ...row, evidence_required: 0, units: ['weijiban'], indicators: [], descendants: [], descendants_fingerprint: '' };
    const view = {
      id: 'upd_migration', town: 'fengmao', task: task.id, unit: 'weijiban', author: 'acc', state: 'pending' as const,
      status: 'in_progress' as const, percent: 30, narrative: '入户登记', measurements: [], evidence: [], base_version: task.version,
      created_at: '2018-06-01T01:00:00.000Z', reviewed_by: null, reviewed_at: null, reject_reason: null,
    };
    await runBatch(env.DB, submitStmts(view, { status: 'in_progress', percent: 30, narrative: '入户登记', measurements: [], evidence: [] }));
    // The update as stored (readUpdate would also read its attachments, a table of migration 0020 not yet there).
    await runBatch(env.DB, approveStmts({ ...view, attachments: [] }, task, 'office', '2018-06-02T01:00:00.000Z'));
    const count = async (t: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
    const tasksBefore = (await env.DB.prepare(`SELECT * FROM tasks ORDER BY town_id, id`).all()).results;
    const counts = { task_units: await count('task_units'), task_indicators: await count('task_indicators'), task_updates: await count('task_updates'), task_history: await count('task_history') };

    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    const tasksAfter = (await env.DB.prepare(`SELECT * FROM tasks ORDER BY town_id, id`).all<Record<string, unknown>>()).results;
    expect(
      tasksAfter.map(({ due_on, inspection_id, console_fields, evidence_required, ...rest }) => (
        expect(due_on).toBeNull(), expect(inspection_id).toBeNull(), expect(console_fields).toBe('[]'), expect(evidence_required).toBe(0), rest
      )),
    ).toEqual(tasksBefore);
    expect({ task_units: await count('task_units'), task_indicators: await count('task_indicators'), task_updates: await count('task_updates'), task_history: await count('task_history') }).toEqual(counts);
    expect((await env.DB.prepare(`PRAGMA foreign_key_check`).all()).results).toEqual([]);
    expect(tasksAfter.find((t) => t.id === task.id)).toMatchObject({ status: 'in_progress', percent: 30, version: 2 });
    // the content loader still runs (and changes no progress) on the rebuilt table
    await loadContent();
    expect((await env.DB.prepare(`SELECT status, percent FROM tasks WHERE id = ?`).bind(task.id).first())).toEqual({ status: 'in_progress', percent: 30 });
  });
});

describe('as-of queries use indexes', () => {
  const plan = async (sql: string) =>
    (await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind('fengmao', '2019-01-01', '2019-01-01T16:00:00.000Z').all<{ detail: string }>()).results.map((r) => r.detail);

  it('the overdue board reads the latest approved update per task by an index seek, never a scan of task_updates', async () => {
    const details = await plan(TASK_FACTS_SQL);
    expect(details).toContain('SEARCH u USING COVERING INDEX task_updates_approved (town_id=? AND task_id=? AND reviewed_at<?)');
    // no scan at all, and no sort inside the per-task lookup
    expect(details.filter((d) => /^SCAN/.test(d))).toEqual([]);
    expect(details.filter((d) => /LAST TERM OF ORDER BY/.test(d))).toEqual([]);
  });

  it('indicator values known by a date are found through their index', async () => {
    const details = await plan(TARGET_VALUES_SQL);
    expect(details).toContain('SEARCH v USING INDEX indicator_values_latest (town_id=? AND indicator_id=? AND as_of<?)');
    expect(details.filter((d) => /^SCAN/.test(d))).toEqual([]);
  });
});
