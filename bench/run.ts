/**
 * `npm run bench`: the benchmark (speed is measured here, never by timed unit tests).
 *
 *   npm run bench                 full run → bench/results.json + bench/results.md (commit them)
 *   npm run bench -- --quick      smoke run (1k/10k updates, 1 and 100 towns, short loads)
 *                                 → bench/data/results-quick.{json,md} (gitignored)
 *   npm run bench -- --strict     exit 1 when a budget is missed
 *   npm run bench -- --only backup [--updates N]
 *                                 only the backup part (bench/backup.ts, default 1,000,000 updates):
 *                                 replaces its section of bench/results.md and its key in results.json
 *
 * Parts: the site (normal build, bytes per page type, Lighthouse), the console on a throttled
 * phone (bench/console.ts), the API under load at growing
 * numbers of updates (bench/api.ts), the site build at 1, 100 and 1,000 synthetic towns
 * (bench/site.ts). Budgets are checked and reported with pass/fail and margin; none is loosened.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runApi, API_TOWNS, type ApiLevel } from './api.ts';
import { backupMarkdown, runBackup, type BackupFigures } from './backup.ts';
import { buildNormalSite, buildSynthetic, lighthouseFigures, pageTypes, type BuildFigure, type LighthouseFigure, type PageTypeFigure } from './site.ts';
import { DATA, ROOT } from './synthetic.ts';
import { END, START, runConsoleBench } from './console.ts';
import { pagePaths, pageWeight, totalGzipWithoutFonts } from '../tests/site/page-weight.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const strict = args.has('--strict');
const LEVELS = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
const TOWNS = quick ? [1, 100] : [1, 100, 1_000];
const LOAD = quick ? { port: 8831, seconds: 3, connections: 8, writes: 60 } : { port: 8831, seconds: 5, connections: 8, writes: 120 };
const KB = 1024;

const argAfter = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = argAfter('--only');
if (only !== undefined && only !== 'backup') throw new Error('--only takes: backup');
const BACKUP_UPDATES = Number(argAfter('--updates') ?? (quick ? 10_000 : 1_000_000));
const BACKUP_BUDGET_MB = 512;

/** Puts the backup section into results.md (replacing the previous one) and its figures into results.json. */
function writeBackupSection(dir: string, base: string, fig: BackupFigures): void {
  const mdFile = resolve(dir, `${base}.md`);
  const section = backupMarkdown(fig, `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  const re = /<!-- backup:start -->[\s\S]*?<!-- backup:end -->/;
  writeFileSync(mdFile, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
  const jsonFile = resolve(dir, `${base}.json`);
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  writeFileSync(jsonFile, JSON.stringify({ ...json, backup: fig }, null, 2) + '\n');
}

if (only === 'backup') {
  console.log(`\n▶ backup: npm run export / import at ${BACKUP_UPDATES.toLocaleString('en')} updates, beside wrangler d1 export`);
  const fig = await runBackup(BACKUP_UPDATES);
  writeBackupSection(quick ? DATA : resolve(ROOT, 'bench'), quick ? 'results-quick' : 'results', fig);
  const worst = Math.max(...fig.runs.slice(1).map((r) => r.peak_rss_mb));
  console.log(`\nbackup: peak RSS ${worst} MB (budget ≤ ${BACKUP_BUDGET_MB} MB), round trip ${fig.identical ? 'byte-identical' : 'DIFFERS'}`);
  process.exit(strict && (worst > BACKUP_BUDGET_MB || !fig.identical) ? 1 : 0);
}

const started = performance.now();
const loadStart = os.loadavg();
const parts: Record<string, number> = {};
const part = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
  console.log(`\n▶ ${name}`);
  const t = performance.now();
  const r = await f();
  parts[name] = Math.round((performance.now() - t) / 100) / 10;
  console.log(`  (${parts[name]} s)`);
  return r;
};

const pkgVersion = (name: string): string => JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
const git = (...a: string[]): string => {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

function machine() {
  const cpus = os.cpus();
  const sqlite = new DatabaseSync(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: pkgVersion('wrangler'),
    workerd: pkgVersion('workerd'),
    autocannon: pkgVersion('autocannon'),
    astro: pkgVersion('astro'),
    pagefind: pkgVersion('pagefind'),
    lighthouse: pkgVersion('lighthouse'),
    sqlite_node: sqliteVersion,
    load_average_at_start: loadStart.map((x) => Math.round(x * 100) / 100),
  };
}

// ---------------------------------------------------------------- run

const info = machine();
const commit = git('rev-parse', 'HEAD');
const dirty = git('status', '--porcelain').length > 0;
console.log(`bench ${quick ? '(quick) ' : ''}on ${info.cpu} × ${info.cores}, Node ${info.node}, wrangler ${info.wrangler}, commit ${commit.slice(0, 10)}${dirty ? ' (with uncommitted changes)' : ''}`);

const normal = await part('site: normal build (content/, fixture snapshot) into dist/', () => buildNormalSite());
const types: PageTypeFigure[] = await part('site: bytes per page type', () => pageTypes());
const pageBudget = await part('site: page budgets over every public page', () => {
  const dist = resolve(ROOT, 'dist');
  const pages = pagePaths(dist).filter((p) => !p.startsWith('/console/'));
  let withJs: string[] = [];
  let island = 0;
  let heaviest = { page: '', gzip: 0 };
  for (const p of pages) {
    const w = pageWeight(dist, p);
    const scripts = w.assets.filter((a) => a.kind === 'script');
    if (!p.startsWith('/search/') && scripts.some((s) => s.path !== '/scripts/freshness.js')) withJs.push(p);
    island = Math.max(island, ...scripts.filter((s) => s.path === '/scripts/freshness.js').map((s) => s.gzip), 0);
    if (/^\/(en\/)?towns\/[^/]+\//.test(p)) {
      const t = totalGzipWithoutFonts(w);
      if (t > heaviest.gzip) heaviest = { page: p, gzip: t };
    }
  }
  return { pages: pages.length, withJs, island, heaviest };
});
const lighthouse: LighthouseFigure[] = await part('site: Lighthouse (mobile, performance) on home and town', () => lighthouseFigures());
const consoleBench = await part('console on a rural network (throttled Chromium, bench/console.ts)', () => runConsoleBench());
const api: ApiLevel[] = await part(`API under load at ${LEVELS.map((l) => l.toLocaleString('en')).join(' / ')} updates`, () => runApi(LEVELS, LOAD));
const backup: BackupFigures = await part(`backup: export / import at ${BACKUP_UPDATES.toLocaleString('en')} updates`, () => runBackup(BACKUP_UPDATES));
const builds: BuildFigure[] = [];
for (const n of TOWNS) builds.push(await part(`site build: ${n.toLocaleString('en')} synthetic town${n === 1 ? '' : 's'}`, () => buildSynthetic(n)));

// ---------------------------------------------------------------- budgets

interface Budget {
  name: string;
  short: string;
  limit: string;
  value: string;
  pass: boolean | null;
  margin: string;
}
const pct = (a: number, b: number) => `${Math.round((Math.abs(a - b) / b) * 100)} %`;
const atMost = (short: string, name: string, limit: number, value: number | undefined, unit: string, fmt = (x: number) => String(x)): Budget => {
  if (value === undefined || Number.isNaN(value)) return { name, short, limit: `≤ ${fmt(limit)} ${unit}`, value: 'not measured (quick run)', pass: null, margin: '–' };
  const pass = value <= limit;
  return { name, short, limit: `≤ ${fmt(limit)} ${unit}`, value: `${fmt(value)} ${unit}`, pass, margin: pass ? `${fmt(limit - value)} ${unit} to spare` : `missed by ${fmt(value - limit)} ${unit} (${pct(value, limit)} over)` };
};
const atLeast = (short: string, name: string, limit: number, value: number | undefined, unit: string): Budget => {
  if (value === undefined) return { name, short, limit: `≥ ${limit} ${unit}`, value: 'not measured (quick run)', pass: null, margin: '–' };
  const pass = value >= limit;
  return { name, short, limit: `≥ ${limit} ${unit}`, value: `${value} ${unit}`, pass, margin: pass ? `${Math.round((value - limit) * 100) / 100} ${unit} to spare` : `missed by ${Math.round((limit - value) * 100) / 100} ${unit} (${pct(value, limit)} short)` };
};
const kb = (x: number) => (Math.round((x / KB) * 10) / 10).toFixed(1);
const level = (n: number) => api.find((l) => l.level === n);
const progressAt = (n: number) => level(n)?.load.find((f) => f.route.includes('/progress'));
const overdueSqlAt = (n: number) => level(n)?.queries.find((q) => q.what.startsWith('overdue'));
const top = api[api.length - 1]!;
const builtAt = (n: number) => builds.find((b) => b.towns === n);

const budgets: Budget[] = [
  atMost('public JavaScript', 'public pages with JavaScript other than the freshness island (all public pages of dist/; /search/ exempt: pagefind is the search UI; /console/ is not public)', 0, pageBudget.withJs.length, 'pages'),
  atMost('freshness island', 'freshness island, gzip', 10 * KB, pageBudget.island, 'KB', kb),
  atMost('town page size', `heaviest town page in total, gzip, fonts excluded (${pageBudget.heaviest.page})`, 100 * KB, pageBudget.heaviest.gzip, 'KB', kb),
  atMost('progress p99 at 100k', 'public progress p99 as a multiple of the baseline route (GET /api/v1/ping) at 100k updates', 3, progressAt(100_000)?.ratio?.p99, '×'),
  atMost('overdue query at 1M', 'overdue board query at 1M updates (median of the 8 statements of readTownFacts, node:sqlite on the D1 file)', 10, overdueSqlAt(1_000_000)?.median_ms, 'ms'),
  atMost(
    'no scan of updates',
    `full scans of task_updates / indicator_values in the progress and overdue plans at ${top.level.toLocaleString('en')} updates`,
    0,
    top.plans.filter((p) => p.full_scan_of_updates).length,
    'plans',
  ),
  atMost('backup memory', `peak RSS of npm run export and npm run import (process tree) at ${BACKUP_UPDATES.toLocaleString('en')} updates`, BACKUP_BUDGET_MB, Math.max(...backup.runs.slice(1).map((r) => r.peak_rss_mb)), 'MB'),
  atMost('backup round trip', 'export → import → export differs (files)', 0, backup.identical ? 0 : 1, 'files'),
  atLeast('site build at 1,000 towns', 'site build (astro build + pagefind) at 1,000 towns', 100, builtAt(1_000)?.pages_per_second, 'pages/s'),
];

const total = Math.round((performance.now() - started) / 1000);
const passed = budgets.filter((b) => b.pass === true).length;
const failed = budgets.filter((b) => b.pass === false).length;
const p100 = progressAt(100_000) ?? progressAt(top.level)!;
const o1m = overdueSqlAt(1_000_000) ?? overdueSqlAt(top.level)!;
const b1k = builtAt(1_000) ?? builds[builds.length - 1]!;
const missed = budgets.filter((b) => b.pass === false).map((b) => `${b.short} (${b.value}, budget ${b.limit})`);
const summary =
  `${passed} of ${budgets.length} budgets pass${failed ? `; missed: ${missed.join('; ')}` : ''}. ` +
  `public progress p99 ${p100.p99_ms} ms = ${p100.ratio?.p99}× the baseline at ${(progressAt(100_000) ? 100_000 : top.level).toLocaleString('en')} updates; ` +
  `overdue board SQL ${o1m.median_ms} ms at ${(overdueSqlAt(1_000_000) ? 1_000_000 : top.level).toLocaleString('en')} updates; ` +
  `site build ${b1k.pages_per_second} pages/s at ${b1k.towns.toLocaleString('en')} towns; ` +
  `heaviest town page ${kb(pageBudget.heaviest.gzip)} KB gzip; JS only the ${kb(pageBudget.island)} KB freshness island (and pagefind on /search/).`;

const results = {
  _note: 'Written by `npm run bench` (bench/run.ts). All data is synthetic (ids synthetic-NNNN, 【合成数据】) and lives in bench/data/, never in content/.',
  kind: quick ? 'quick' : 'full',
  date: new Date().toISOString(),
  commit,
  commit_dirty: dirty,
  machine: { ...info, load_average_at_end: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  duration_seconds: total,
  part_seconds: parts,
  summary,
  budgets,
  api: { towns: API_TOWNS + 1, measured_town: 'synthetic-0001', load: LOAD, levels: api },
  site: { normal_build: normal, builds, page_types: types, page_budget: pageBudget, lighthouse },
  console: consoleBench.figures,
};

// ---------------------------------------------------------------- report

const md: string[] = [];
const row = (...c: (string | number)[]) => md.push(`| ${c.join(' | ')} |`);
const head = (...c: string[]) => (row(...c), row(...c.map(() => '---')));
const mark = (b: boolean | null) => (b === null ? '–' : b ? '✅ pass' : '❌ **miss**');
md.push(`# Benchmark results${quick ? ' (quick run)' : ''}`, '');
md.push(`Written by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${results.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${commit.slice(0, 10)}\`${dirty ? ' (with uncommitted changes)' : ''}, in ${Math.floor(total / 60)} min ${total % 60} s.`, '');
md.push(`**Summary.** ${summary}`, '');
md.push('## Machine', '');
head('what', 'value');
row('CPU', `${info.cpu} × ${info.cores} cores`);
row('memory', `${info.memory_gib} GiB`);
row('OS', info.os);
row('Node / SQLite (node:sqlite)', `${info.node} / ${info.sqlite_node}`);
row('wrangler / workerd', `${info.wrangler} / ${info.workerd}`);
row('autocannon / astro / pagefind / lighthouse', `${info.autocannon} / ${info.astro} / ${info.pagefind} / ${info.lighthouse}`);
row('load average (1, 5, 15 min) at start → end', `${info.load_average_at_start.join(', ')} → ${results.machine.load_average_at_end.join(', ')}`);
md.push('', 'The machine is shared: other work ran on the same 2 cores during this run, so absolute figures are noisy. That is why every API figure is also given as a ratio to a trivial route measured on the same server in the same run.', '');
md.push('## Budgets', '');
head('budget', 'limit', 'measured', 'result', 'margin');
for (const b of budgets) row(b.name, b.limit, b.value, mark(b.pass), b.margin);
md.push('');
md.push('## API under load', '');
md.push(
  `The real Worker under \`wrangler dev\` (workerd, local D1 in \`bench/data/api/\`), ${API_TOWNS} synthetic towns (copies of 冯卯镇's plan) plus 冯卯镇 itself; the measured town is \`synthetic-0001\`. ` +
    `Reads: autocannon, ${LOAD.connections} connections, ${LOAD.seconds} s per route in 3 interleaved rounds (ping, health, progress, overdue, then again), loopback only; percentiles over every response of the three rounds. ` +
    `Writes: a closed-loop fetch client with ${LOAD.connections} workers, ${LOAD.writes} submit + approve pairs per level, each worker on its own task (If-Match = its version, a new Idempotency-Key per request); its baseline is the same ping measured with the same client, interleaved with the writes in 3 rounds. ` +
    `Ratios divide by the baseline of the same run (p50 and p99: times slower; req/s: share of the baseline's rate).`,
  '',
);
md.push('Growth at a glance (p99 in ms, and as a multiple of the baseline of the same run; SQL = median of the statements on the D1 file):', '');
head('updates', 'baseline p99', 'progress p99', 'progress ×', 'overdue p99', 'overdue ×', 'submit p99', 'approve p99', 'writes ×', 'progress SQL ms', 'overdue SQL ms');
for (const l of api) {
  const f = (s: string) => l.load.find((x) => x.route.includes(s));
  const sq = (s: string) => l.queries.find((q) => q.what.startsWith(s))?.median_ms ?? '';
  row(l.level.toLocaleString('en'), f('ping (baseline, no')?.p99_ms ?? '', f('/progress')?.p99_ms ?? '', f('/progress')?.ratio?.p99 ?? '', f('/overdue')?.p99_ms ?? '', f('/overdue')?.ratio?.p99 ?? '',
    f('(submit')?.p99_ms ?? '', f('(approve')?.p99_ms ?? '', `${f('(submit')?.ratio?.p99 ?? ''} / ${f('(approve')?.ratio?.p99 ?? ''}`, sq('public progress'), sq('overdue'));
}
md.push('', 'Every route:', '');
head('updates', 'route', 'p50 ms', 'p99 ms', 'req/s', 'p50 ×', 'p99 ×', 'req/s ×', 'requests', 'non-2xx');
for (const l of api) for (const f of l.load) row(l.level.toLocaleString('en'), f.route, f.p50_ms, f.p99_ms, f.rps, f.ratio?.p50 ?? '', f.ratio?.p99 ?? '', f.ratio?.rps ?? '', f.requests, f.non2xx + f.errors);
md.push('', 'Rows in the database at each level (the write phase of a level adds its approved updates before the next level tops the table up):', '');
head('level', 'task_updates', 'approved', 'indicator_values');
for (const l of api) row(l.level.toLocaleString('en'), l.updates_in_table.toLocaleString('en'), l.approved_in_table.toLocaleString('en'), l.indicator_values.toLocaleString('en'));
md.push('', '### The queries themselves', '');
md.push(`The same SQL the Worker runs (imported from \`worker/db/supervision.ts\` and \`worker/db/updates.ts\`), for \`synthetic-0001\`, as of 2026-11-30, run with node:sqlite on the local D1 file while no wrangler holds it; 5 warm-up runs, then ${api[0]?.queries[0]?.runs ?? 0} timed runs. The budget uses the median; p99 and max show the noise of the shared machine.`, '');
head('updates', 'query', 'median ms', 'p99 ms', 'max ms');
for (const l of api) for (const q of l.queries) row(l.level.toLocaleString('en'), q.what, q.median_ms, q.p99_ms, q.max_ms);
md.push('', `### Query plans at ${top.level.toLocaleString('en')} updates`, '');
for (const p of top.plans) {
  md.push(`**${p.query}** — ${p.full_scan_of_updates ? '❌ full scan of updates' : 'no scan of task_updates / indicator_values'}`, '', '```', ...p.plan, '```', '');
}
md.push('## Site', '');
md.push('### Build', '');
md.push('`astro build` then `pagefind`, as `npm run build` runs them. Synthetic towns are copies of 冯卯镇 (`synthetic-0001` …, names 【合成数据】…) written to `bench/data/site-<n>/` with one synthetic snapshot each, built with `CONTENT_DIR` and `SNAPSHOT_DIR` into `bench/data/site-<n>/dist`. Pages = HTML files.', '');
head('towns', 'HTML pages', 'files', 'astro s', 'pagefind s', 'total s', 'pages/s (total)', 'pages/s (astro only)');
row(`1 (冯卯镇, content/, fixture snapshot → dist/)`, normal.html_pages, normal.files, normal.astro_seconds, normal.pagefind_seconds, normal.total_seconds, normal.pages_per_second, normal.astro_pages_per_second);
for (const b of builds) row(`${b.towns.toLocaleString('en')} synthetic`, b.html_pages, b.files, b.astro_seconds, b.pagefind_seconds, b.total_seconds, b.pages_per_second, b.astro_pages_per_second);
md.push('', '### Bytes per page type', '');
md.push('From `dist/` (冯卯镇 with the fixture snapshot). CSS is inlined into the HTML (`inlineStylesheets: always`), so the HTML figure includes it; the inline CSS is shown apart. gzip = zlib default level. Total = HTML + external CSS + JS + images referenced, fonts excluded (the site references no fonts).', '');
head('page type', 'path', 'HTML raw', 'HTML gzip', 'inline CSS raw', 'inline CSS gzip', 'ext. CSS gzip', 'JS raw', 'JS gzip', 'images gzip', 'total gzip', 'scripts');
for (const t of types) row(t.type, `\`${t.path}\``, kb(t.html_raw), kb(t.html_gzip), kb(t.inline_css_raw), kb(t.inline_css_gzip), kb(t.css_gzip), kb(t.js_raw), kb(t.js_gzip), kb(t.images_gzip), kb(t.total_gzip_without_fonts), t.scripts.join(', ') || '–');
md.push('', 'All figures in KB (1,024 bytes). /search/ loads pagefind\'s UI script statically and fetches its WebAssembly and index on use; those later fetches are not counted here.', '');
md.push('### Lighthouse (mobile)', '');
md.push('Lighthouse\'s default mobile preset (simulated throttling), performance category only, on `dist/` served by the plain local server of `tests/site/serve.ts` (no compression, no API), Chromium from Debian.', '');
head('page', 'path', 'performance', 'LCP ms', 'TBT ms', 'CLS', 'FCP ms');
for (const l of lighthouse) row(l.page, `\`${l.path}\``, l.performance, l.lcp_ms, l.tbt_ms, l.cls, l.fcp_ms);
md.push('', START, consoleBench.markdown + END);
md.push('', '## How long each part took', '');
head('part', 'seconds');
for (const [k, v] of Object.entries(parts)) row(k, v);
row('**total**', total);
md.push('');

const outDir = quick ? DATA : resolve(ROOT, 'bench');
mkdirSync(outDir, { recursive: true });
const base = quick ? 'results-quick' : 'results';
writeFileSync(resolve(outDir, `${base}.json`), JSON.stringify(results, null, 2) + '\n');
writeFileSync(resolve(outDir, `${base}.md`), md.join('\n'));
writeBackupSection(outDir, base, backup);

console.log(`\n${'─'.repeat(80)}\nbudgets:`);
for (const b of budgets) console.log(`  ${b.pass === null ? '–   ' : b.pass ? 'pass' : 'MISS'}  ${b.name}: ${b.value} (${b.limit}; ${b.margin})`);
console.log(`\nsummary: ${summary}\nwritten: ${resolve(outDir, `${base}.md`)} and .json (${Math.floor(total / 60)} min ${total % 60} s)`);
process.exit(strict && failed ? 1 : 0);
