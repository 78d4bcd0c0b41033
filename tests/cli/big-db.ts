/**
 * A local D1 above 10 MiB for the command-line tests, made the way `npm start` makes one (real
 * wrangler migrations, the real content loader, a real account through the admin CLI), then grown
 * with long task updates and large audit rows written straight into its SQLite file with
 * node:sqlite (no wrangler process holds it then). Each row satisfies the schema's checks and
 * foreign keys; the text carries quotes, newlines and characters outside the BMP.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const ROOT = resolve(import.meta.dirname, '../..');
export const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

/** Runs a command to completion; output is kept (the commands here print little). */
export function run(cmd: string, args: string[], extraEnv: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
export const ok = (r: { status: number | null; out: string }): string => {
  if (r.status !== 0) throw new Error(r.out);
  return r.out;
};
export const node = (script: string, args: string[]) => run(process.execPath, [resolve(ROOT, script), ...args]);
/**
 * Migrates a local D1 as `npm start` does (worker/cli/migrate.ts, in this process's Node, no wrangler
 * spawn: about 1 s where wrangler takes 20 s or more; tests/cli/local-db.test.ts shows wrangler then
 * finds nothing to apply).
 */
export const migrate = (db: string) => ok(node('worker/cli/migrate.ts', ['--local', '--persist-to', db]));
/** Migrates with `wrangler d1 migrations apply`: the database file is then the one wrangler itself created. */
export const migrateWithWrangler = (db: string) => ok(run(resolve(ROOT, 'node_modules/.bin/wrangler'), ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', db]));

/** Temporary folders, removed by `cleanup`. */
const dirs: string[] = [];
export const tmp = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
export const cleanup = () => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));

/** The SQLite file of a local D1 kept in `persist`. */
export function sqliteFile(persist: string): string {
  const dir = join(persist, 'v3/d1/miniflare-D1DatabaseObject');
  const f = readdirSync(dir).filter((x) => x.endsWith('.sqlite') && x !== 'metadata.sqlite');
  if (f.length !== 1) throw new Error(`expected one D1 file in ${dir}, found ${f.join(', ') || 'none'}`);
  return join(dir, f[0]!);
}

/** Bytes of the local D1 file. */
export const dbBytes = (persist: string): number => statSync(sqliteFile(persist)).size;

/**
 * A migrated local D1 with content/ loaded, one reporter account (activation link and audit row),
 * `updates` task updates of ~12 KB each (4,000 characters) and `audits` audit rows of ~60 KB.
 */
export function bigDb(persist: string, opts: { updates?: number; audits?: number } = {}): void {
  migrateWithWrangler(persist);
  ok(node('worker/cli/load-content.ts', ['--local', '--persist-to', persist]));
  ok(node('worker/cli/admin.ts', ['create-user', '--username', 'li-weiji', '--role', 'reporter', '--town', 'fengmao', '--unit', 'weijiban', '--persist-to', persist]));
  const db = new DatabaseSync(sqliteFile(persist));
  try {
    const author = (db.prepare(`SELECT id FROM accounts WHERE username = 'li-weiji'`).get() as { id: string }).id;
    const links = db.prepare(`SELECT town_id, task_id, unit_id FROM task_units ORDER BY rowid LIMIT 40`).all() as { town_id: string; task_id: string; unit_id: string }[];
    const ins = db.prepare(
      `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, base_version, created_at, reviewed_by, reviewed_at, reject_reason)
       VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?, ?, 1, ?, ?, ?, ?)`,
    );
    const audit = db.prepare(`INSERT INTO audit_log (at, actor, action, town_id, entity, entity_id, detail_json) VALUES (?, ?, 'update.submit', 'fengmao', 'task_update', ?, ?)`);
    db.exec('BEGIN');
    for (let i = 0; i < (opts.updates ?? 1000); i++) {
      const l = links[i % links.length]!;
      const state = i % 10 === 9 ? 'rejected' : i % 10 === 8 ? 'pending' : 'approved';
      const at = new Date(Date.UTC(2019, 0, 1) + i * 3_600_000).toISOString();
      // 4,000 characters: Chinese text with a quote, an apostrophe, a newline and an emoji.
      const narrative = `第${i}次进展："床位"已增加，医生's 巡诊\n✅🏥 ` + '医养结合示范镇建设稳步推进'.repeat(310).slice(0, 3970);
      ins.run(`big-${String(i).padStart(5, '0')}`, l.town_id, l.task_id, l.unit_id, author, state, i % 101, narrative, at, state === 'pending' ? null : author, state === 'pending' ? null : at, state === 'rejected' ? '材料不全' : null);
    }
    for (let i = 0; i < (opts.audits ?? 20); i++) {
      audit.run(new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), author, `big-${i}`, JSON.stringify({ note: 'x'.repeat(60_000), i }));
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}
