/**
 * Backup and restore through real wrangler and the real CLIs (`npm run export` / `npm run import`,
 * worker/cli/backup.ts), each database in a throwaway --persist-to folder: export → import into an
 * empty database → export gives the same bytes, for the whole database and for one town; import
 * refuses a non-empty database, a newer format and a damaged file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
const ok = (r: { status: number | null; out: string }) => {
  if (r.status !== 0) throw new Error(r.out);
  return r.out;
};
const node = (script: string, args: string[]) => run(process.execPath, [resolve(root, script), ...args]);
const migrate = (db: string) => ok(run(resolve(root, 'node_modules/.bin/wrangler'), ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', db]));
const exportTo = (db: string, file: string, town?: string) => ok(node('worker/cli/backup.ts', ['export', '--local', '--persist-to', db, '--out', file, ...(town ? ['--town', town] : [])]));
const importFrom = (db: string, file: string) => node('worker/cli/backup.ts', ['import', file, '--local', '--persist-to', db]);

describe('npm run export / npm run import', () => {
  const source = tmp('dtt-backup-src-');
  const files = tmp('dtt-backup-files-');
  const all = join(files, 'all.json');
  const town = join(files, 'fengmao.json');

  it('export → import into an empty database → export is byte-identical, for the whole database and for one town', () => {
    migrate(source);
    ok(node('worker/cli/load-content.ts', ['--local', '--persist-to', source]));
    // An account with its activation link and audit row, beside the plan's tasks (a tree: parents first on import).
    ok(node('worker/cli/admin.ts', ['create-user', '--username', 'li-weiji', '--role', 'reporter', '--town', 'fengmao', '--unit', 'weijiban', '--persist-to', source]));
    exportTo(source, all);
    exportTo(source, town, 'fengmao');
    const doc = JSON.parse(readFileSync(all, 'utf8'));
    expect(doc).toMatchObject({ format: 'demo-town-tracker/backup', format_version: 1, scope: { town: null } });
    // The backup records the migration level it was taken at: the newest file in migrations/.
    expect(doc.migrations.at(-1)).toBe(readdirSync(resolve(root, 'migrations')).filter((f) => f.endsWith('.sql')).sort().at(-1));
    expect(doc.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.tables.tasks.rows.length).toBeGreaterThan(50);
    expect(doc.tables.accounts.rows).toHaveLength(1);
    expect(doc.tables.activation_tokens.rows).toHaveLength(1);
    expect(doc.tables.audit_log.rows.length).toBe(2);

    const restored = tmp('dtt-backup-all-');
    migrate(restored);
    ok(importFrom(restored, all));
    exportTo(restored, join(files, 'all-again.json'));
    expect(readFileSync(join(files, 'all-again.json'), 'utf8')).toBe(readFileSync(all, 'utf8'));

    const oneTown = tmp('dtt-backup-town-');
    migrate(oneTown);
    ok(importFrom(oneTown, town));
    exportTo(oneTown, join(files, 'fengmao-again.json'), 'fengmao');
    expect(readFileSync(join(files, 'fengmao-again.json'), 'utf8')).toBe(readFileSync(town, 'utf8'));

    // Restoring into a database that holds anything is refused, and changes nothing.
    const again = importFrom(restored, all);
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/not empty \(accounts: 1 rows/);
    exportTo(restored, join(files, 'all-after-refusal.json'));
    expect(readFileSync(join(files, 'all-after-refusal.json'), 'utf8')).toBe(readFileSync(all, 'utf8'));
  }, 600_000);

  it('refuses a newer format and a damaged file before touching the database', () => {
    const empty = tmp('dtt-backup-empty-');
    const doc = { format: 'demo-town-tracker/backup', format_version: 2, scope: { town: null }, migrations: [], tables: {}, sha256: '0'.repeat(64) };
    writeFileSync(join(files, 'newer.json'), JSON.stringify(doc));
    const newer = importFrom(empty, join(files, 'newer.json'));
    expect(newer.status).toBe(1);
    expect(newer.out).toMatch(/format_version 2 is newer than this tool understands \(1\)/);
    writeFileSync(join(files, 'edited.json'), JSON.stringify({ ...doc, format_version: 1, tables: { towns: { columns: ['id'], rows: [['fengmao']] } } }));
    const edited = importFrom(empty, join(files, 'edited.json'));
    expect(edited.status).toBe(1);
    expect(edited.out).toMatch(/sha256 does not match/);
  });
});
