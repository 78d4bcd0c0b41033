/**
 * `npm start`'s database steps (migrations, content, demo accounts) run in its own process on
 * miniflare's SQLite file, with no wrangler spawn. Checked as a user would: a fresh folder is served
 * by the real `wrangler dev` over the built Worker (dist/, as `npm test` builds it first), the
 * loaded town answers and a demo account signs in; wrangler itself then finds nothing to apply and
 * its own record of migrations looks the same; a running server is not written under; a load that
 * fails midway changes nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDatabaseFile } from '../../worker/cli/d1.ts';
import { migrationNames } from '../../worker/cli/migrate.ts';
import { withDemoTowns } from '../../worker/content/demo.ts';
import { readContent } from '../../worker/content/read.ts';
import { contentHash } from '../../worker/db/content.ts';
import { freePort } from '../site/live-site.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs one of the project's CLIs (Node 22, as npm runs them). */
const cli = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(ROOT, script), ...args], { cwd: ROOT, env, encoding: 'utf8' });
const wrangler = (args: string[]) => spawnSync(resolve(ROOT, 'node_modules/.bin/wrangler'), args, { cwd: ROOT, env, encoding: 'utf8' });

/** `npm start -- --persist-to DIR --no-build` in its own process group; `stop` ends exactly that group. */
function start(persist: string, port: number) {
  const child: ChildProcess = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(ROOT, 'worker/cli/start.ts'), '--persist-to', persist, '--no-build'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    log: () => log,
    /** Waits until `until` holds (checked every 200 ms), or fails with the log when the start exits first. */
    async waitFor(until: () => boolean | Promise<boolean>, what: string): Promise<void> {
      for (;;) {
        if (await until()) return;
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before ${what}:\n${log}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async healthy(): Promise<boolean> {
      try {
        return (await fetch(`${origin}/api/health`)).status === 200;
      } catch {
        return false;
      }
    },
    async stop(): Promise<void> {
      const alive = () => {
        try {
          process.kill(-child.pid!, 0);
          return true;
        } catch {
          return false;
        }
      };
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive()) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

const open = (file: string) => new DatabaseSync(file, { readOnly: true });
const all = (file: string, sql: string) => {
  const db = open(file);
  try {
    return db.prepare(sql).all().map((r) => ({ ...r }));
  } finally {
    db.close();
  }
};

let persist: string;
let startLog = '';
beforeAll(() => {
  if (!existsSync(resolve(ROOT, 'dist/server/wrangler.json'))) throw new Error('dist/ is not built: run `npm run build` first (npm test does)');
  persist = tempDir('dtt-start-db-');
});

describe('npm start: the database steps in one process', () => {
  it('on a fresh folder it creates the database where miniflare would; wrangler dev serves that file, with the town loaded, and a demo account signs in', async () => {
    const server = start(persist, await freePort());
    try {
      await server.waitFor(() => server.healthy(), '/api/health answered');
      startLog = server.log();
      expect(startLog).toMatch(/▶ applying migrations/);
      expect(startLog).toMatch(/▶ loading content\/ into the local database/);
      expect(startLog).toMatch(/▶ creating the demo accounts/);
      expect(startLog).toMatch(/prepared in [\d.]+ s \(build 0\.0 s; database [\d.]+ s, [\d.]+ s CPU: migrations [\d.]+ s, content [\d.]+ s, demo accounts [\d.]+ s\)/);

      const health = (await (await fetch(`${server.origin}/api/health`)).json()) as { migrations_applied: number; migration: string; content_hash: string };
      expect(health.migrations_applied).toBe(migrationNames().length);
      expect(health.migration).toBe(migrationNames().at(-1));
      // npm start loads content/ with the two demonstration towns (worker/content/demo.ts).
      expect(health.content_hash).toBe(await contentHash(withDemoTowns(readContent())));

      // The Worker reads the loaded town (its plan's text comes from the database).
      const progress = await fetch(`${server.origin}/api/v1/towns/fengmao/progress`);
      expect(progress.status).toBe(200);

      // wrangler dev used the file this process created: it is the only D1 database in the folder.
      const file = localDatabaseFile(persist);
      const dbs = readdirSync(dirname(file)).filter((n) => n.endsWith('.sqlite') && n !== 'metadata.sqlite');
      expect(dbs).toEqual([basename(file)]);

      const login = await fetch(`${server.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo-office', password: 'demo-password-2018' }),
      });
      expect(login.status).toBe(200);
      expect(((await login.json()) as { token?: string }).token).toEqual(expect.any(String));
      const wrong = await fetch(`${server.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo-office', password: 'not-the-demo-password' }),
      });
      expect(wrong.status).toBe(401);

      // While the server has the database open (each request keeps its D1 object, and the file, open),
      // a content load refuses and says why instead of writing under it.
      const load = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(ROOT, 'worker/cli/load-content.ts'), '--persist-to', persist], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let loadErr = '';
      load.stderr!.on('data', (d) => (loadErr += d));
      const exited = new Promise<number | null>((r) => load.on('exit', r));
      let code: number | null | undefined;
      void exited.then((c) => (code = c));
      while (code === undefined) {
        await fetch(`${server.origin}/api/health`);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(code).toBe(1);
      expect(loadErr).toMatch(/the local database is open in another process/);
      expect(loadErr).toMatch(/wrangler dev/);
    } finally {
      await server.stop();
    }
  }, 240_000);

  it('a second start on the unchanged folder skips the three steps', async () => {
    expect(startLog, 'the first test started the server').not.toBe('');
    const server = start(persist, await freePort());
    try {
      await server.waitFor(() => /prepared in/.test(server.log()), 'it was ready to serve');
      const log = server.log();
      expect(log).toMatch(/✓ local D1 migrations already applied/);
      expect(log).toMatch(/✓ content\/ already loaded into the local database/);
      expect(log).toMatch(/✓ demo accounts already created/);
      expect(log).not.toMatch(/▶ (applying|loading|creating)/);
      // Deciding to skip (reading the state, a stat walk of content/) takes well under a second, on a loaded machine too.
      expect(log).toMatch(/database 0\.\d s/);
    } finally {
      await server.stop();
    }
  }, 240_000);

  it("wrangler finds nothing to apply, and its record of migrations and the schema match wrangler's own", () => {
    expect(startLog, 'the first test started the server').not.toBe('');
    const again = wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No migrations to apply/);

    const theirs = tempDir('dtt-wrangler-db-');
    const r = wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', theirs]);
    expect(r.status, r.stderr).toBe(0);
    const [ours, wranglers] = [localDatabaseFile(persist), localDatabaseFile(theirs)];
    const schema = `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '_cf_%' ORDER BY type, name`;
    expect(all(ours, schema)).toEqual(all(wranglers, schema));
    const record = `SELECT id, name FROM d1_migrations ORDER BY id`;
    expect(all(ours, record)).toEqual(all(wranglers, record));
    expect(all(ours, record).map((m) => m.name)).toEqual(migrationNames());
    for (const f of [ours, wranglers]) {
      for (const m of all(f, 'SELECT applied_at FROM d1_migrations')) expect(m.applied_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(all(f, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    }
    // Two wrangler runs (each starts workerd): a bound for a hung run on a loaded machine, not a speed check.
  }, 300_000);

  it('a content load that fails midway leaves the database as it was', () => {
    const dir = tempDir('dtt-load-fail-');
    const m = cli('worker/cli/migrate.ts', ['--persist-to', dir]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/applied \d+ migration/);
    const file = localDatabaseFile(dir);
    const counts = () => all(file, `SELECT (SELECT count(*) FROM towns) towns, (SELECT count(*) FROM tasks) tasks, (SELECT count(*) FROM audit_log) audit, (SELECT count(*) FROM content_loads) loads`)[0];
    const empty = counts();
    // A failure late in the load: the jurisdictions' figures come after every town's rows.
    const db = new DatabaseSync(file);
    db.exec(`CREATE TRIGGER test_fail BEFORE INSERT ON jurisdiction_figures BEGIN SELECT RAISE(ABORT, 'test: refused figure'); END`);
    db.close();
    const failed = cli('worker/cli/load-content.ts', ['--persist-to', dir]);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/test: refused figure/);
    expect(counts()).toEqual(empty);

    const db2 = new DatabaseSync(file);
    db2.exec('DROP TRIGGER test_fail');
    db2.close();
    const ok = cli('worker/cli/load-content.ts', ['--persist-to', dir]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(counts()).toMatchObject({ towns: readContent().towns.length, audit: 1, loads: 1 });
  }, 60_000);
});
