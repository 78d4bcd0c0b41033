/**
 * `npm run snapshot` through real wrangler against a throwaway local D1: only approved data of
 * plan tasks reaches the snapshot, with the latest approval time; published bulletins only; the
 * daily overdue counts summed per day.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TownSnapshot } from '../../worker/domain/public-snapshot.ts';

const root = resolve(import.meta.dirname, '../..');
const persist = mkdtempSync(join(tmpdir(), 'dtt-snap-'));
const out = join(persist, 'out');
afterAll(() => rmSync(persist, { recursive: true, force: true }));
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const wrangler = (args: string[]) => run(resolve(root, 'node_modules/.bin/wrangler'), [...args, '--persist-to', persist]);
const sql = (s: string) => wrangler(['d1', 'execute', 'DB', '--local', '--command', s]);

describe('npm run snapshot', () => {
  it('writes the approved progress of each town and nothing unapproved or internal', () => {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);
    run(process.execPath, [resolve(root, 'worker/cli/load-content.ts'), '--local', '--persist-to', persist]);
    const upd = (id: string, state: string, reviewed: string | null, narrative: string) =>
      `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, base_version, created_at, reviewed_by, reviewed_at, reject_reason)
       VALUES ('${id}', 'fengmao', 'kt2-family-doctor-signing-teams', 'weijiban', 'acc-1', '${state}', 'in_progress', 60, '${narrative}', 1, '2019-01-01T00:00:00Z', ${reviewed ? "'acc-2'" : 'NULL'}, ${reviewed ? `'${reviewed}'` : 'NULL'}, ${state === 'rejected' ? "'不清楚'" : 'NULL'});`;
    sql(
      [
        upd('u-ok-1', 'approved', '2019-01-05T02:00:00Z', '第一次'),
        upd('u-ok-2', 'approved', '2019-02-05T02:00:00Z', '第二次'),
        upd('u-pending', 'pending', null, '待审核'),
        upd('u-rejected', 'rejected', '2019-03-01T00:00:00Z', '退回'),
        `INSERT INTO indicator_values (update_id, ordinal, town_id, indicator_id, value, as_of, source, approved_at) VALUES ('u-ok-2', 0, 'fengmao', 'family-doctor-signing-elderly', 72, '2018-12-31', '台账', '2019-02-05T02:00:00Z');`,
        `UPDATE tasks SET status = 'in_progress', percent = 60 WHERE town_id = 'fengmao' AND id = 'kt2-family-doctor-signing-teams';`,
        `INSERT INTO bulletins (id, town_id, title, period_from, period_to, state, visibility, year, seq, number, figures_json, created_by, created_at, issued_by, issued_at, published_at, remarks)
         VALUES ('b-pub', 'fengmao', '公开通报', '2018-01-01', '2018-12-31', 'issued', 'public', 2019, 1, '冯卯医养督〔2019〕1号', '{}', 'acc-3', '2019-01-19T00:00:00Z', 'acc-3', '2019-01-19T20:00:00Z', '2019-01-20T00:00:00Z', '说明'),
                ('b-int', 'fengmao', '内部通报', '2018-01-01', '2018-12-31', 'issued', 'internal', 2019, 2, '冯卯医养督〔2019〕2号', '{}', 'acc-3', '2019-01-19T00:00:00Z', 'acc-3', '2019-01-20T00:00:00Z', NULL, ''),
                ('b-draft', 'fengmao', '草稿', '2018-01-01', '2018-12-31', 'draft', 'internal', NULL, NULL, NULL, NULL, 'acc-3', '2019-01-19T00:00:00Z', NULL, NULL, NULL, '');`,
        `INSERT INTO overdue_snapshots (town_id, unit_id, day, overdue, at_risk, stale, tasks, computed_at) VALUES
           ('fengmao', 'weijiban', '2019-01-01', 3, 0, 0, 10, '2019-01-01T00:00:00Z'), ('fengmao', 'minzhengban', '2019-01-01', 2, 0, 0, 5, '2019-01-01T00:00:00Z'),
           ('fengmao', 'weijiban', '2019-01-02', 1, 0, 0, 10, '2019-01-02T00:00:00Z');`,
      ].join('\n'),
    );
    run(process.execPath, [resolve(root, 'worker/cli/snapshot.ts'), '--local', '--persist-to', persist, '--out', out]);
    const snap = TownSnapshot.parse(JSON.parse(readFileSync(join(out, 'fengmao.json'), 'utf8')));
    expect(snap.updates.map((u) => u.id)).toEqual(['u-ok-1', 'u-ok-2']);
    expect(snap.updated_at).toBe('2019-02-05T02:00:00Z');
    expect(Date.parse(snap.generated_at)).toBeGreaterThan(Date.parse('2020-01-01'));
    expect(snap.values).toEqual([{ indicator: 'family-doctor-signing-elderly', value: 72, as_of: '2018-12-31', source: '台账', approved_at: '2019-02-05T02:00:00Z', update: 'u-ok-2' }]);
    expect(snap.tasks.find((t) => t.id === 'kt2-family-doctor-signing-teams')).toEqual({ id: 'kt2-family-doctor-signing-teams', status: 'in_progress', percent: 60, last_update: 'u-ok-2' });
    expect(snap.bulletins).toEqual([
      { id: 'b-pub', number: '冯卯医养督〔2019〕1号', title: '公开通报', issued_on: '2019-01-20', period_from: '2018-01-01', period_to: '2018-12-31', summary: '说明', url: '/api/v1/bulletins/b-pub/print' },
    ]);
    expect(snap.overdue_trend).toEqual([
      { date: '2019-01-01', overdue: 5 },
      { date: '2019-01-02', overdue: 1 },
    ]);
  }, 180_000);
});
