/**
 * `npm run deploy` publishes only the remote database's truth. On a copy of the project (so the
 * build does not disturb the dist/ the other tests read), a local D1 holds approved updates, as
 * a deploying machine has after `npm start`; the deploy's build then contains none of them, has
 * no search index (search reads D1) and uses SITE_ORIGIN. Without a real SITE_ORIGIN the deploy refuses to run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseFixture, seedSql } from '../fixtures/public-seed.ts';
import { startLiveSite } from '../site/live-site.ts';
import { listedBuckets } from '../../worker/cli/deploy.ts';
import { bucketName } from '../../worker/cli/r2.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MARK = `DEPLOY-LEAK-${Date.now().toString(36)}`;
const ORIGIN = 'https://yiyang.example.gov.cn';
let copy: string;

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', ...extra };
  delete e.SITE_ORIGIN;
  return { ...e, ...extra };
};
const run = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, args, { cwd: copy, env: env(extra), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** Every file under a folder, with its text. */
function* files(dir: string): Generator<[string, Buffer]> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield [p, readFileSync(p)];
  }
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'deploy-copy-'));
  // The project's own files (tracked and new), as a fresh checkout would have them.
  const list = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of list) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(ROOT, f), join(copy, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  // The deploying machine's local database, with approved updates that must never be published.
  const target = ['--local'];
  let r = run(['worker/cli/wrangler.ts', 'd1', 'migrations', 'apply', 'DB', ...target]);
  expect(r.status, r.stderr).toBe(0);
  r = run(['worker/cli/load-content.ts', ...target]);
  expect(r.status, r.stderr).toBe(0);
  const fixture = parseFixture(JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/public/fengmao.json'), 'utf8')));
  fixture.updates = fixture.updates.map((u) => ({ ...u, narrative: `${MARK} ${u.narrative}` }));
  writeFileSync(join(copy, 'seed.sql'), seedSql(fixture));
  r = run(['worker/cli/wrangler.ts', 'd1', 'execute', 'DB', ...target, '--yes', '--file', join(copy, 'seed.sql')]);
  expect(r.status, r.stderr).toBe(0);
}, 600_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('npm run deploy', () => {
  it('refuses to run without a real SITE_ORIGIN, before building anything', () => {
    for (const origin of [undefined, 'https://demo-town-tracker.example.org', 'http://yiyang.example.gov.cn', 'not a url']) {
      const r = run(['worker/cli/deploy.ts', '--dry-run'], origin ? { SITE_ORIGIN: origin } : {});
      expect(r.status, String(origin)).toBe(1);
      expect(r.stderr, String(origin)).toMatch(/SITE_ORIGIN/);
      expect(existsSync(join(copy, 'dist'))).toBe(false);
    }
  });

  it('builds from content/ only: the local database’s approved updates are nowhere in dist/; SITE_ORIGIN is there', () => {
    const r = run(['worker/cli/deploy.ts', '--dry-run'], { SITE_ORIGIN: ORIGIN });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    // The evidence bucket is part of a deploy: a dry run names the check it skipped.
    expect(r.stdout).toContain('R2 bucket demo-town-tracker-files check');
    const leaks: string[] = [];
    let scanned = 0;
    for (const [path, body] of files(join(copy, 'dist'))) {
      scanned++;
      // The plan drafter's code names the 【测试数据】 marker it recognises: code, not data.
      if (body.includes(MARK) || (body.includes('【测试数据】') && !/\.m?js(\.map)?$/.test(path))) leaks.push(path);
    }
    expect(scanned).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
    // The public pages' data comes from D1 at request time: the town pages are not files in the build.
    expect(existsSync(join(copy, 'dist/client/towns/fengmao/progress/index.html'))).toBe(false);
    // Search is answered from D1: no index file in the build.
    expect(existsSync(join(copy, 'dist/client/pagefind'))).toBe(false);
    // The towns' pages are listed by /sitemap-towns.xml, rendered from D1; the index names it on the real origin.
    expect(readFileSync(join(copy, 'dist/client/sitemap-index.xml'), 'utf8')).toContain(`${ORIGIN}/sitemap-towns.xml`);
  }, 600_000);
});

describe('the evidence files’ R2 bucket', () => {
  it('is the FILES binding’s bucket of wrangler.toml, found by name in what `wrangler r2 bucket list` prints', () => {
    expect(bucketName()).toBe('demo-town-tracker-files');
    // wrangler 4's listing: a block of labelled values per bucket.
    const listing = 'Listing buckets...\nname:           demo-town-tracker-files-old\ncreation_date:  2026-01-02T03:04:05.000Z\n\nname:           demo-town-tracker-files\ncreation_date:  2026-02-03T04:05:06.000Z\n';
    expect(listedBuckets(listing)).toEqual(['demo-town-tracker-files-old', 'demo-town-tracker-files']);
    expect(listedBuckets('Listing buckets...\n')).toEqual([]);
  });
});

describe('a new town added by following content/README.md (tests/fixtures/content: 青石镇, fictional)', () => {
  it('builds, loads and serves its pages, and none of them carries another town’s words', async () => {
    const fixture = { CONTENT_DIR: join(copy, 'tests/fixtures/content'), SITE_ORIGIN: ORIGIN };
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: copy, env: env(fixture), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const site = await startLiveSite({ root: copy, seed: false, env: fixture });
    try {
      const origin = site.origin;
      const paths = ['/', '/towns/qingshi/', '/towns/qingshi/progress/', '/towns/qingshi/tasks/', '/towns/qingshi/plan/', '/towns/qingshi/group/', '/en/towns/qingshi/'];
      for (const p of paths) {
        const res = await fetch(origin + p);
        expect(res.status, p).toBe(200);
        const html = await res.text();
        expect(html, p).toContain(p.startsWith('/en/') ? 'Qingshi Town' : '青石镇');
        // Nothing of Fengmao's plan or place, nor its structure (three milestones, its part names).
        for (const foreign of ['冯卯', '山亭', '枣庄', '冯政发', '三个时间节点', '第四部分', '强化督导考核']) expect(html, `${p}: ${foreign}`).not.toContain(foreign);
        // Demonstration data is marked on every page of the town.
        if (p !== '/') expect(html, p).toMatch(/demo-banner/);
      }
    } finally {
      await site.close();
    }
  }, 600_000);
});
