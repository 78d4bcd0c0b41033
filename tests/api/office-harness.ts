/**
 * The real app over a real local D1 (Miniflare's, the same SQLite engine workerd uses), driven from
 * Node so a test can hand files to LibreOffice between requests: workerd cannot start processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import { readD1Migrations } from '@cloudflare/vitest-plugin';
import { app } from '../../worker/app.ts';
import { hashPassword } from '../../worker/auth/password.ts';
import { insertAccountStmt } from '../../worker/db/accounts.ts';
import { runBatch } from '../../worker/db/batch.ts';
import { contentStatements } from '../../worker/db/content.ts';
import { readContent } from '../../worker/content/read.ts';

const root = resolve(import.meta.dirname, '../..');

/** A fresh database with the migrations and content/ loaded, and a signed-in account per role asked for. */
export async function startApp() {
  const persist = mkdtempSync(join(tmpdir(), 'sheets-d1-'));
  // Only the D1 binding: the app's own config (assets, build output) is not needed to answer /api.
  const configPath = join(persist, 'wrangler.json');
  writeFileSync(configPath, JSON.stringify({ name: 'sheets-test', compatibility_date: '2025-01-01', d1_databases: [{ binding: 'DB', database_name: 'test', database_id: '00000000-0000-0000-0000-000000000000' }] }));
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath, persist: { path: join(persist, 'state') } });
  const db = proxy.env.DB;
  // Writes purge the Worker's page cache (worker/public-cache.ts): Node has no `caches`, the proxy's stands in.
  (globalThis as { caches?: unknown }).caches ??= proxy.caches;
  for (const m of await readD1Migrations(resolve(root, 'migrations'))) for (const q of m.queries) await db.prepare(q).run();
  await runBatch(db, await contentStatements(readContent(resolve(root, 'content')), '2026-01-01T00:00:00.000Z'));
  const env = { DB: db, ASSETS: { fetch: async () => new Response('not found', { status: 404 }) } };
  /**
   * The proxy reaches its D1 over a kept-alive local socket that the other side may have closed
   * while LibreOffice ran for half a minute ("fetch failed: other side closed"); a probe that is
   * allowed to fail re-opens it, so the request under test meets a live connection. Harness only:
   * the Worker itself never talks to D1 through this proxy.
   */
  const reconnect = async () => {
    for (let i = 0; i < 3; i++) {
      try {
        await db.prepare('SELECT 1').first();
        return;
      } catch {
        /* a stale socket: the next try opens a new one */
      }
    }
  };
  const request = async (path: string, init: RequestInit = {}) => {
    await reconnect();
    return app.request(`http://localhost${path}`, init, env);
  };
  /** A new active account of `role` (a reporter of `unit`), signed in: its bearer token. */
  const signIn = async (role: 'office' | 'admin' | 'supervisor' | 'reporter', unit: string | null = null) => {
    const username = `${role}-${crypto.randomUUID().slice(0, 8)}`;
    await runBatch(db, [
      insertAccountStmt({ id: crypto.randomUUID(), username, display_name: username, role, town_id: role === 'admin' ? null : 'fengmao', unit_id: unit, password: await hashPassword('test-password-2018'), status: 'active', created_at: new Date().toISOString(), created_by: 'system:test' }),
    ]);
    const res = await request('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'test-password-2018' }) });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  /** Every row of every application table, for before/after comparisons. */
  const dump = async () => {
    const out: Record<string, unknown[]> = {};
    const tables = await db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' AND name NOT LIKE 'search\\_grams\\_%' ESCAPE '\\' ORDER BY name`).all<{ name: string }>();
    for (const { name } of tables.results) out[name] = (await db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()).results;
    return out;
  };
  return { db, request, signIn, dump, close: async () => (await proxy.dispose(), rmSync(persist, { recursive: true, force: true })) };
}
