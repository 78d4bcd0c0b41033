/**
 * `npm run admin` manages an account's lifecycle without anyone touching the database: disable,
 * enable, reset (a new activation link) and reissue, on a real local D1 through wrangler, audited
 * as system:admin-cli. The link it prints sets a new password through the real Worker's statements.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cleanup, migrate, node, ok, ROOT, run, sqliteFile, tmp } from './big-db.ts';
import { writeSyntheticContent } from '../../bench/synthetic.ts';

afterAll(cleanup);

describe('npm run admin: an account over the years', () => {
  it('disables, re-enables, resets and re-issues, each audited; refuses a step the state does not allow', () => {
    const db = tmp('admin-accounts-');
    migrate(db);
    ok(node('worker/cli/load-content.ts', ['--local', '--persist-to', db]));
    ok(node('worker/cli/admin.ts', ['create-demo-accounts', '--persist-to', db]));
    const read = () => {
      const sql = new DatabaseSync(sqliteFile(db), { readOnly: true });
      try {
        const acc = sql.prepare(`SELECT status, password_hash IS NOT NULL AS has_password FROM accounts WHERE username = 'demo-reporter'`).get() as { status: string; has_password: number };
        const audit = sql.prepare(`SELECT action, actor FROM audit_log WHERE action LIKE 'account.%' AND action <> 'account.create' ORDER BY id`).all() as { action: string; actor: string }[];
        return { ...acc, audit: audit.map((a) => `${a.action} by ${a.actor}`) };
      } finally {
        sql.close();
      }
    };

    expect(ok(node('worker/cli/admin.ts', ['disable', '--username', 'demo-reporter', '--persist-to', db]))).toMatch(/demo-reporter: active → disabled/);
    expect(read()).toMatchObject({ status: 'disabled', has_password: 1 });
    const again = node('worker/cli/admin.ts', ['disable', '--username', 'demo-reporter', '--persist-to', db]);
    expect(again.status).not.toBe(0);
    expect(again.out).toMatch(/demo-reporter is disabled: disable applies to pending or active accounts only/);
    expect(ok(node('worker/cli/admin.ts', ['enable', '--username', 'demo-reporter', '--persist-to', db]))).toMatch(/disabled → active/);

    const reset = ok(node('worker/cli/admin.ts', ['reset', '--username', 'demo-reporter', '--persist-to', db]));
    expect(reset).toMatch(/active → pending/);
    expect(reset).toMatch(/\/console\/activate\/#token=[A-Za-z0-9_-]{43}/);
    expect(read()).toMatchObject({ status: 'pending', has_password: 0 });
    expect(ok(node('worker/cli/admin.ts', ['reissue', '--username', 'demo-reporter', '--persist-to', db]))).toMatch(/pending → pending[\s\S]*#token=/);
    expect(read().audit).toEqual(['account.disable by system:admin-cli', 'account.enable by system:admin-cli', 'account.reset by system:admin-cli', 'account.reissue_activation by system:admin-cli']);
    expect(node('worker/cli/admin.ts', ['disable', '--username', 'no-such-user', '--persist-to', db]).out).toMatch(/no such account: no-such-user/);
  }, 900_000);

  it('creates a region supervisor bound to a region (and the local demo one), and refuses one with a town or an unknown region', () => {
    const db = tmp('admin-region-');
    migrate(db);
    ok(node('worker/cli/load-content.ts', ['--local', '--persist-to', db]));
    ok(node('worker/cli/admin.ts', ['create-demo-accounts', '--persist-to', db]));
    const out = ok(node('worker/cli/admin.ts', ['create-user', '--username', 'tengzhou-sup', '--role', 'region_supervisor', '--region', 'tengzhou', '--persist-to', db]));
    expect(out).toMatch(/created region_supervisor account tengzhou-sup .*of region tengzhou/);
    expect(out).toMatch(/#token=[A-Za-z0-9_-]{43}/);
    expect(node('worker/cli/admin.ts', ['create-user', '--username', 'bad-sup', '--role', 'region_supervisor', '--region', 'shanting', '--town', 'fengmao', '--persist-to', db]).out).toMatch(/belongs to a region, not a town/);
    expect(node('worker/cli/admin.ts', ['create-user', '--username', 'bad-sup', '--role', 'region_supervisor', '--persist-to', db]).out).toMatch(/--region is required/);
    expect(node('worker/cli/admin.ts', ['create-user', '--username', 'bad-sup', '--role', 'region_supervisor', '--region', 'atlantis', '--persist-to', db]).out).toMatch(/no such region: atlantis/);
    expect(node('worker/cli/admin.ts', ['create-user', '--username', 'bad-sup', '--role', 'supervisor', '--town', 'fengmao', '--region', 'shanting', '--persist-to', db]).out).toMatch(/--region is only for role region_supervisor/);
    const sql = new DatabaseSync(sqliteFile(db), { readOnly: true });
    try {
      const rows = sql.prepare(`SELECT username, role, town_id, region_id, status FROM accounts WHERE role = 'region_supervisor' ORDER BY username`).all();
      expect(rows.map((r) => ({ ...r }))).toEqual([
        { username: 'demo-region-supervisor', role: 'region_supervisor', town_id: null, region_id: 'shanting', status: 'active' },
        { username: 'tengzhou-sup', role: 'region_supervisor', town_id: null, region_id: 'tengzhou', status: 'pending' },
      ]);
      expect((sql.prepare(`SELECT COUNT(*) AS n FROM accounts WHERE username = 'bad-sup'`).get() as { n: number }).n).toBe(0);
    } finally {
      sql.close();
    }
  }, 900_000);

  it('creates the demo accounts the loaded content allows, and names the others (a CONTENT_DIR of other towns)', () => {
    // Two synthetic towns in their own county, and Fengmao's folder without its county (山亭区) or city: as `npm start` with CONTENT_DIR loads them.
    const { contentDir } = writeSyntheticContent(tmp('admin-demo-content-'), 2);
    cpSync(join(ROOT, 'content/towns/fengmao'), join(contentDir, 'towns/fengmao'), { recursive: true });
    const db = tmp('admin-demo-');
    migrate(db);
    ok(run(process.execPath, [resolve(ROOT, 'worker/cli/load-content.ts'), '--local', '--persist-to', db], { CONTENT_DIR: contentDir }));
    const out = ok(node('worker/cli/admin.ts', ['create-demo-accounts', '--persist-to', db]));
    expect(out).toMatch(/demo-region-supervisor\s+not created: the loaded content has no region shanting/);
    const sql = new DatabaseSync(sqliteFile(db), { readOnly: true });
    try {
      const rows = sql.prepare(`SELECT username FROM accounts ORDER BY username`).all().map((r) => (r as { username: string }).username);
      expect(rows).toEqual(['demo-admin', 'demo-office', 'demo-reporter', 'demo-supervisor']);
    } finally {
      sql.close();
    }
  }, 900_000);
});
