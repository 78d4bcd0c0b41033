import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { content, dumpTables, loadContent } from './helpers.ts';

describe('the content loader', () => {
  it('running it twice changes nothing', async () => {
    await loadContent(content(), '2026-01-01T00:00:00.000Z');
    const first = await dumpTables();
    await loadContent(content(), '2026-02-01T00:00:00.000Z');
    expect(await dumpTables()).toEqual(first);
  });

  it('records one audit row per distinct content snapshot', async () => {
    await loadContent();
    await loadContent();
    const bundle = content();
    bundle.towns[0]!.tasks[0]!.title += '（修订）';
    await loadContent(bundle, '2026-03-01T00:00:00.000Z');
    const audit = await env.DB.prepare(`SELECT action, actor FROM audit_log WHERE action = 'content.load'`).all();
    expect(audit.results).toHaveLength(2);
    expect(audit.results[0]).toMatchObject({ actor: 'system:content-loader' });
  });

  it('applies an edited target and keeps task progress it does not own', async () => {
    await loadContent();
    const town = content().towns[0]!;
    const task = town.tasks[0]!;
    await env.DB.prepare(`UPDATE tasks SET status = 'in_progress', percent = 40 WHERE town_id = ? AND id = ?`).bind(town.town.id, task.id).run();
    const bundle = content();
    const ind = bundle.towns[0]!.indicators.find((i) => i.targets.some((t) => t.kind === 'numeric'))!;
    const target = ind.targets.find((t) => t.kind === 'numeric')!;
    if (target.kind !== 'numeric') throw new Error('unreachable');
    target.value += 1;
    bundle.towns[0]!.tasks[0]!.title = '新标题';
    await loadContent(bundle, '2026-03-01T00:00:00.000Z');
    const row = await env.DB.prepare(`SELECT value FROM indicator_targets WHERE town_id = ? AND indicator_id = ? AND milestone_id = ?`)
      .bind(town.town.id, ind.indicator, target.milestone)
      .first<{ value: number }>();
    expect(row!.value).toBe(target.value);
    const t = await env.DB.prepare(`SELECT title, status, percent, version FROM tasks WHERE town_id = ? AND id = ?`).bind(town.town.id, task.id).first();
    expect(t).toMatchObject({ title: '新标题', status: 'in_progress', percent: 40, version: 2 });
  });

  it('removes a target that content/ no longer lists', async () => {
    await loadContent();
    const bundle = content();
    const ind = bundle.towns[0]!.indicators.find((i) => i.targets.length > 1)!;
    const dropped = ind.targets.pop()!;
    await loadContent(bundle, '2026-03-01T00:00:00.000Z');
    const row = await env.DB.prepare(`SELECT 1 FROM indicator_targets WHERE town_id = ? AND indicator_id = ? AND milestone_id = ?`)
      .bind(bundle.towns[0]!.town.id, ind.indicator, dropped.milestone)
      .first();
    expect(row).toBeNull();
  });

  it('the audit log refuses updates and deletes', async () => {
    await loadContent();
    await expect(env.DB.prepare(`UPDATE audit_log SET actor = 'x'`).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare(`DELETE FROM audit_log`).run()).rejects.toThrow(/append-only/);
  });

  it('a batch that fails midway leaves nothing written', async () => {
    const before = await dumpTables();
    const { contentStatements } = await import('../../worker/db/content.ts');
    const stmts = await contentStatements(content(), '2026-01-01T00:00:00.000Z');
    stmts.splice(Math.floor(stmts.length / 2), 0, { sql: 'INSERT INTO no_such_table VALUES (1)', params: [] });
    await expect(env.DB.batch(stmts.map((s) => env.DB.prepare(s.sql).bind(...s.params)))).rejects.toThrow();
    expect(await dumpTables()).toEqual(before);
  });
});
