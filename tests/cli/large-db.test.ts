/**
 * The command-line tools on a local D1 above 10 MiB (tests/cli/big-db.ts): every wrangler call that
 * reads data is bounded by its query and read from a file, not a 1 MiB pipe buffer, so the content
 * loader, the admin CLI and `npm start` (which runs both, then serves) work at any size. Backup and
 * restore at that size: tests/cli/backup.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../worker/cli/admin.ts';
import { bigDb, cleanup, dbBytes, env, node, ok, ROOT, tmp } from './big-db.ts';

const PORT = Number(process.env.LARGE_DB_PORT ?? 8862);
const ORIGIN = `http://127.0.0.1:${PORT}`;
let server: ChildProcess | undefined;
let log = '';

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const gone = new Promise((r) => server!.on('exit', r));
    process.kill(-server.pid, 'SIGTERM'); // its own group: npm, node, wrangler, workerd
    await gone;
  }
  cleanup();
});

async function waitForHealth(): Promise<Response> {
  for (;;) {
    if (server?.exitCode !== null) throw new Error(`npm start exited with ${server?.exitCode}:\n${log.slice(-3000)}`);
    try {
      const r = await fetch(`${ORIGIN}/api/health`);
      if (r.ok) return r;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('the command-line tools on a database above 10 MiB', () => {
  const db = tmp('dtt-large-');
  bigDb(db);

  it('the content loader loads again and the admin CLI creates an account', () => {
    expect(dbBytes(db)).toBeGreaterThan(10 * 1024 * 1024);
    expect(ok(node('worker/cli/load-content.ts', ['--local', '--persist-to', db]))).toMatch(/content loaded into local D1 \(snapshot [0-9a-f]{12}…, first loaded 20/);
    expect(ok(node('worker/cli/admin.ts', ['create-user', '--username', 'wang-office', '--role', 'office', '--town', 'fengmao', '--persist-to', db]))).toMatch(/created office account wang-office/);
    const taken = node('worker/cli/admin.ts', ['create-user', '--username', 'li-weiji', '--role', 'reporter', '--town', 'fengmao', '--unit', 'weijiban', '--persist-to', db]);
    expect(taken.status).toBe(1);
    expect(taken.out).toMatch(/username already taken: li-weiji/);
  }, 300_000);

  it('npm start serves it: the demo office signs in and reads the long updates whole', async () => {
    if (!existsSync(join(ROOT, 'dist/server/wrangler.json'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    server = spawn('npm', ['start', '--', '--persist-to', db, '--no-build'], { cwd: ROOT, env: { ...env, PORT: String(PORT) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
    server.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
    await waitForHealth();
    const login = await fetch(`${ORIGIN}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo-office', password: DEMO_PASSWORD }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const r = await fetch(`${ORIGIN}/api/v1/towns/fengmao/updates?limit=500`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const { updates } = (await r.json()) as { updates: { narrative: string }[] };
    expect(updates).toHaveLength(500);
    // Each as written: about 4,000 characters, ending in the repeated sentence (nothing cut).
    expect(updates.every((u) => /^第\d+次进展："床位"已增加，医生's 巡诊\n✅🏥 (医养结合示范镇建设稳步推进)+/.test(u.narrative) && u.narrative.length > 3980)).toBe(true);
    expect((await fetch(`${ORIGIN}/api/v1/towns/fengmao/progress`)).status).toBe(200);
  }, 300_000);
});
