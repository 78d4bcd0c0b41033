/**
 * Migration 0018 rebuilds `accounts` (the region_supervisor role, region_id). On a database that
 * already holds accounts with sessions and activation links, every row and column must survive,
 * the sessions must still open, and the new CHECKs must hold.
 */
import { describe, expect, it } from 'vitest';
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { loadContent } from './helpers.ts';
import { api } from './auth-helpers.ts';
import { sha256Hex } from '../../worker/auth/password.ts';

const before0018 = () => env.TEST_MIGRATIONS.filter((m) => m.name < '0018');

describe('migration 0018 on a populated database', () => {
  it('keeps every account, session and activation link, and the sessions still sign their owners in', async () => {
    await reset();
    await applyD1Migrations(env.DB, before0018());
    // Today's loader records what each town was loaded from (migration 0023, a table of its own that touches no account).
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.filter((m) => m.name.startsWith('0023')));
    await loadContent();
    // Accounts of every role of 0004 (no region column yet), with a session and an activation link.
    const insert = (id: string, town: string | null, role: string, unit: string | null, status: string) =>
      env.DB.prepare(
        `INSERT INTO accounts (id, town_id, role, unit_id, username, display_name, password_hash, password_salt, password_iterations, status, created_at, created_by, last_login_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z', 'system:test', ?)`,
      ).bind(id, town, role, unit, `mig-${id}`, `迁移${id}`, status === 'pending' ? null : 'h', status === 'pending' ? null : 's', status === 'pending' ? null : 1, status, status === 'active' ? '2026-02-01T00:00:00.000Z' : null);
    await env.DB.batch([
      insert('a1', 'fengmao', 'reporter', 'weijiban', 'active'),
      insert('a2', 'fengmao', 'office', null, 'active'),
      insert('a3', 'fengmao', 'supervisor', null, 'disabled'),
      insert('a4', null, 'admin', null, 'active'),
      insert('a5', 'fengmao', 'reporter', 'weijiban', 'pending'),
      env.DB.prepare(`INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ('s1', 'a1', '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')`),
      env.DB.prepare(`INSERT INTO activation_tokens (token_hash, account_id, created_at, expires_at) VALUES ('t5', 'a5', '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')`),
    ]);
    // A live session of the office account, as a sign-in before the migration left it.
    const token = 'migration-session-token-0018-abcdef';
    await env.DB.prepare(`INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, 'a2', '2026-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z')`).bind(await sha256Hex(token)).run();
    const accountsBefore = (await env.DB.prepare(`SELECT * FROM accounts ORDER BY id`).all()).results;
    const sessionsBefore = (await env.DB.prepare(`SELECT * FROM sessions ORDER BY token_hash`).all()).results;
    const linksBefore = (await env.DB.prepare(`SELECT * FROM activation_tokens ORDER BY token_hash`).all()).results;

    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    const accountsAfter = (await env.DB.prepare(`SELECT * FROM accounts ORDER BY id`).all<Record<string, unknown>>()).results;
    expect(accountsAfter.map(({ region_id, ...rest }) => (expect(region_id).toBeNull(), rest))).toEqual(accountsBefore);
    expect((await env.DB.prepare(`SELECT * FROM sessions ORDER BY token_hash`).all()).results).toEqual(sessionsBefore);
    expect((await env.DB.prepare(`SELECT * FROM activation_tokens ORDER BY token_hash`).all()).results).toEqual(linksBefore);
    expect((await env.DB.prepare(`PRAGMA foreign_key_check`).all()).results).toEqual([]);
    // The session made before the rebuild still opens the account.
    expect((await api('GET', '/api/v1/me', { token })).body).toMatchObject({ id: 'a2', username: 'mig-a2', role: 'office', region_id: null });
    // Sessions and links still refer to accounts: one naming no account is refused.
    await expect(env.DB.prepare(`INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ('sx', 'nobody', 'x', 'y')`).run()).rejects.toThrow(/FOREIGN KEY/);
  });

  it('a region supervisor has a region and no town; every other role has no region', async () => {
    await loadContent();
    const row = (id: string, town: string | null, role: string, region: string | null) =>
      env.DB.prepare(
        `INSERT INTO accounts (id, town_id, role, unit_id, username, display_name, status, created_at, created_by, region_id) VALUES (?, ?, ?, NULL, ?, 'x', 'pending', 'x', 'x', ?)`,
      ).bind(id, town, role, `chk-${id}`, region);
    await row('ok1', null, 'region_supervisor', 'shanting').run();
    await expect(row('bad1', 'fengmao', 'region_supervisor', 'shanting').run()).rejects.toThrow(/CHECK/);
    await expect(row('bad2', null, 'region_supervisor', null).run()).rejects.toThrow(/CHECK/);
    await expect(row('bad3', 'fengmao', 'supervisor', 'shanting').run()).rejects.toThrow(/CHECK/);
    await expect(row('bad4', null, 'admin', 'shanting').run()).rejects.toThrow(/CHECK/);
    await expect(row('bad5', null, 'region_supervisor', 'no-such-region').run()).rejects.toThrow(/FOREIGN KEY/);
  });
});
