/**
 * `npm run bench`: the benchmark (speed is measured here, never by timed unit tests).
 *
 *   npm run bench                 full run → bench/results.json + bench/results.md (commit them)
 *   npm run bench -- --quick      smoke run (1k/10k updates, 1 and 100 towns, short loads)
 *                                 → bench/data/results-quick.{json,md} (gitignored)
 *   npm run bench -- --strict     exit 1 when a budget is missed
 *   npm run bench -- --only backup [--updates N[,M…]]
 *                                 only the backup part (bench/backup.ts, default 1,000,000 updates):
 *                                 replaces its section of bench/results.md and its key in results.json
 *   npm run bench -- --only plan-draft
 *                                 only the plan drafter (bench/plan-draft.ts, issue 25): drafts vs. the
 *                                 hand-written folders, per-kind precision/recall, a 30-page plan's time
 *   npm run bench -- --only search [--towns N] [--quick]
 *                                 only search across every town (bench/search.ts, default 1,000
 *                                 towns): replaces its section of results.md and its key in results.json
 *   npm run bench -- --render      rewrites those sections of results.md from results.json (no measuring)
 *   npm run bench -- --only pages|start|site|builds [--quick]
 *                                 only that part of the live public site's budgets (issue 13, see
 *                                 bench/live-report.ts): replaces its section of results.md, the
 *                                 table of those budgets, and its key under "live" in results.json
 *
 * Parts: the site (normal build, bytes per page type, JavaScript and weight of every public page,
 * Lighthouse on the built Worker), the console on a throttled phone (bench/console.ts), the public
 * progress page cached / uncached / beside a static page at 100,000 approved updates
 * (bench/pages.ts), the API under load at growing numbers of updates (bench/api.ts), backup,
 * `npm start` cold and warm (bench/start.ts), the site build at 1, 100 and 1,000 synthetic towns
 * (bench/site.ts). Budgets are checked and reported with pass/fail and margin; none is loosened.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runApi, API_TOWNS, type ApiLevel } from './api.ts';
import { backupMarkdown, runBackup, type BackupFigures } from './backup.ts';
import { buildNormalSite, buildSynthetic, lighthouseFigures, pageTypes, publicPageBudget, type BuildFigure } from './site.ts';
import { DATA, ROOT } from './synthetic.ts';
import { END, START, runConsoleBench } from './console.ts';
import { runPages } from './pages.ts';
import { runStart } from './start.ts';
import { PLAN_DRAFT_BUDGET, runPlanDraft, writePlanDraftSection } from './plan-draft.ts';
import { runSearch, writeSearchSection } from './search.ts';
import { atMost, liveBudgets, mark, renderLiveParts, writeLivePart, type Budget, type LiveResults, type Measured, type SiteFigures } from './live-report.ts';
import { startLiveSite } from '../tests/site/live-site.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const strict = args.has('--strict');
const LEVELS = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
const TOWNS = quick ? [1, 100] : [1, 100, 1_000];
const LOAD = quick ? { port: 8831, seconds: 3, connections: 8, writes: 60 } : { port: 8831, seconds: 5, connections: 8, writes: 120 };
/** The public pages part: database size, load and the approve loop. */
const PAGES = quick
  ? { updates: 10_000, port: 8900, seconds: 3, connections: 8, iterations: 30, loopSeconds: 120 }
  : { updates: 100_000, port: 8900, seconds: 15, connections: 8, iterations: 100, loopSeconds: 600 };
/** Ports of the site part's server (seeded fixture data) and of the `npm start` part. */
const SITE_PORT = 8901;
const START_PORT = 8902;

const argAfter = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = argAfter('--only');
const LIVE_PARTS = ['pages', 'start', 'site', 'builds'] as const;
type LivePart = (typeof LIVE_PARTS)[number];
if (only !== undefined && only !== 'backup' && only !== 'plan-draft' && only !== 'search' && only !== 'towns' && !LIVE_PARTS.includes(only as LivePart)) throw new Error(`--only takes: backup, plan-draft, search, towns, ${LIVE_PARTS.join(', ')}`);
/** `--updates N[,M…]`: the backup part at each size (the full run takes the largest). */
const BACKUP_SIZES = (argAfter('--updates') ?? (quick ? '10000' : '1000000')).split(',').map(Number).sort((a, b) => a - b);
if (!BACKUP_SIZES.every((n) => Number.isInteger(n) && n > 0)) throw new Error('--updates takes whole numbers, comma-separated');
const BACKUP_UPDATES = BACKUP_SIZES.at(-1)!;
const BACKUP_BUDGET_MB = 512;

/** Puts the backup section into results.md (replacing the previous one) and its figures into results.json. */
function writeBackupSection(dir: string, base: string, figs: BackupFigures[]): void {
  const mdFile = resolve(dir, `${base}.md`);
  const section = backupMarkdown(figs, `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  const re = /<!-- backup:start -->[\s\S]*?<!-- backup:end -->/;
  writeFileSync(mdFile, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
  const jsonFile = resolve(dir, `${base}.json`);
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  writeFileSync(jsonFile, JSON.stringify({ ...json, backup: figs.at(-1), backup_by_size: figs }, null, 2) + '\n');
}

if (only === 'backup') {
  const figs: BackupFigures[] = [];
  for (const n of BACKUP_SIZES) {
    console.log(`\n▶ backup: npm run export / import at ${n.toLocaleString('en')} updates, beside wrangler d1 export`);
    figs.push(await runBackup(n));
  }
  writeBackupSection(quick ? DATA : resolve(ROOT, 'bench'), quick ? 'results-quick' : 'results', figs);
  const worst = Math.max(...figs.flatMap((f) => f.runs.slice(1).map((r) => r.peak_rss_mb)));
  const identical = figs.every((f) => f.identical);
  console.log(`\nbackup: peak RSS ${worst} MB (budget ≤ ${BACKUP_BUDGET_MB} MB), round trip ${identical ? 'byte-identical' : 'DIFFERS'}`);
  process.exit(strict && (worst > BACKUP_BUDGET_MB || !identical) ? 1 : 0);
}

if (only === 'search') {
  const towns = Number(argAfter('--towns') ?? (quick ? 100 : 1000));
  if (!(Number.isInteger(towns) && towns > 0)) throw new Error('--towns takes a whole number');
  console.log(`\n▶ search across ${towns.toLocaleString('en')} towns, beside a static asset of the same server`);
  const f = await runSearch({ towns, port: 8903, seconds: quick ? 3 : 15, connections: 8 });
  writeSearchSection(quick ? DATA : resolve(ROOT, 'bench'), quick ? 'results-quick' : 'results', f);
  console.log(`\nsearch: worst p99 ${f.worst_p99_vs_static}× the static asset (budget ≤ 3×)`);
  process.exit(strict && f.worst_p99_vs_static > 3 ? 1 : 0);
}

const outDir = quick ? DATA : resolve(ROOT, 'bench');
const outBase = quick ? 'results-quick' : 'results';

if (only === 'plan-draft') {
  console.log('\n▶ plan drafter: drafts vs. hand-written content, and a 30-page plan');
  const f = await runPlanDraft();
  mkdirSync(outDir, { recursive: true });
  writePlanDraftSection(outDir, outBase, f);
  const miss = f.runs.some((r) => (['tasks', 'targets', 'members'] as const).some((k) => r.score[k].precision < PLAN_DRAFT_BUDGET.precision || r.score[k].recall < PLAN_DRAFT_BUDGET.recall)) || f.big.seconds_docx > PLAN_DRAFT_BUDGET.seconds;
  console.log(`written: ${resolve(outDir, `${outBase}.md`)} and .json`);
  process.exit(strict && miss ? 1 : 0);
}
if (only === 'towns') {
  // Many towns, one deployment (issues 23 and 24): bench/towns.ts
  const { runTowns, townsStatements, townsMarkdown, townsBudgets } = await import('./towns.ts');
  const writeTowns = (figs: Parameters<typeof townsMarkdown>[0]) => {
    mkdirSync(outDir, { recursive: true });
    const mdFile = resolve(outDir, `${outBase}.md`);
    const old = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
    const section = townsMarkdown(figs);
    const re = /<!-- towns:start -->[\s\S]*?<!-- towns:end -->/;
    writeFileSync(mdFile, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
    return mdFile;
  };
  if (args.has('--render')) {
    // `--only towns --render`: rewrites the section of results.md from results.json (no measuring)
    const json = JSON.parse(readFileSync(resolve(outDir, `${outBase}.json`), 'utf8'));
    console.log(`rewrote the towns section of ${writeTowns(json.many_towns)}`);
    process.exit(0);
  }
  const date = new Date().toISOString();
  const commit = git('rev-parse', 'HEAD'); // the code built and measured (the run takes ~20 min)
  const { fileN, region, town, ...f } = await runTowns(
    quick
      ? { towns: 100, countySize: 10, updates: 10_000, port: 8903, inspectorPort: 9331, startRounds: 1, buildRounds: 1, seconds: 3, connections: 8, iterations: 20, cpuRenders: 5 }
      : { towns: 1_000, countySize: 100, updates: 100_000, port: 8903, inspectorPort: 9331, startRounds: 3, buildRounds: 2, seconds: 15, connections: 8, iterations: 100, cpuRenders: 20 },
  );
  const figs = { date, commit, quick, ...f, statements: townsStatements(fileN, region, town) };
  const mdFile = writeTowns(figs);
  const jsonFile = resolve(outDir, `${outBase}.json`);
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  writeFileSync(jsonFile, JSON.stringify({ ...json, many_towns: figs }, null, 2) + '\n');
  const bs = townsBudgets(figs);
  for (const b of bs) console.log(`  ${b.pass === null ? '–   ' : b.pass ? 'pass' : 'MISS'}  ${b.name}: ${b.value} (≤ ${b.limit})`);
  console.log(`written: ${mdFile} and .json`);
  process.exit(strict && bs.some((b) => b.pass === false) ? 1 : 0);
}
const la = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Runs one live-site part and wraps its figures with when, where and under what load it ran. */
async function measure<T>(f: () => Promise<T> | T): Promise<Measured<T>> {
  const start = la();
  const date = new Date().toISOString();
  const figures = await f();
  return { date, commit: git('rev-parse', 'HEAD'), quick, load_average: { start, end: la() }, figures };
}

/** The site part: build, then every page as the built Worker serves it (fixture data), page budgets, Lighthouse. */
async function sitePart(): Promise<SiteFigures> {
  console.log('  npm run build (astro build)');
  const normal_build = buildNormalSite();
  console.log(`  ${normal_build.html_pages} prerendered pages in ${normal_build.total_seconds} s; starting the built Worker on port ${SITE_PORT} (fixture data)`);
  const site = await startLiveSite({ port: SITE_PORT });
  try {
    const page_types = await pageTypes(site.origin);
    const page_budget = await publicPageBudget(site.origin);
    console.log(`  ${page_budget.pages} public pages, with JavaScript: ${page_budget.withJs.length}; heaviest town page ${page_budget.heaviest.page} ${(page_budget.heaviest.gzip / 1024).toFixed(1)} KB gzip`);
    console.log('  Lighthouse (mobile, four categories)');
    const lighthouse = await lighthouseFigures(site.origin);
    return { normal_build, page_types, page_budget, lighthouse };
  } finally {
    await site.close();
  }
}

const livePart = (p: LivePart): Promise<Measured<unknown>> =>
  p === 'site' ? measure(sitePart)
  : p === 'pages' ? measure(() => runPages(PAGES.updates, PAGES))
  : p === 'start' ? measure(() => runStart(START_PORT))
  : measure(async () => {
      const out: BuildFigure[] = [];
      for (const n of TOWNS) {
        console.log(`  ${n.toLocaleString('en')} synthetic town${n === 1 ? '' : 's'}`);
        out.push(buildSynthetic(n));
        console.log(`    ${out[out.length - 1]!.html_pages} pages, ${out[out.length - 1]!.pages_per_second} pages/s`);
      }
      return out;
    });

if (args.has('--render')) {
  console.log(`rewrote ${renderLiveParts(outDir, outBase).join(', ')} in ${resolve(outDir, `${outBase}.md`)}`);
  process.exit(0);
}

if (only !== undefined && only !== 'backup') {
  const p = only as LivePart;
  console.log(`\n▶ ${p}${quick ? ' (quick)' : ''}`);
  if (p === 'pages' && !existsSync(resolve(ROOT, 'dist/server/wrangler.json'))) throw new Error('dist/ is not built: run `npm run build` first');
  const m = await livePart(p);
  mkdirSync(outDir, { recursive: true });
  const live = writeLivePart(outDir, outBase, p, m);
  console.log(`\nbudgets of issue 13 (parts measured so far: ${Object.keys(live).join(', ')}):`);
  const bs = liveBudgets(live);
  for (const b of bs) console.log(`  ${b.pass === null ? '–   ' : b.pass ? 'pass' : 'MISS'}  ${b.name}: ${b.value} (${b.limit}; ${b.margin})`);
  console.log(`written: ${resolve(outDir, `${outBase}.md`)} and .json`);
  process.exit(strict && bs.some((b) => b.pass === false) ? 1 : 0);
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
function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

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

const live: LiveResults = {};
live.site = (await part('site: npm run build, every public page from the built Worker (fixture data), Lighthouse', () => livePart('site'))) as LiveResults['site'];
const consoleBench = await part('console on a rural network (throttled Chromium, bench/console.ts)', () => runConsoleBench());
live.pages = (await part(`public progress page at ${PAGES.updates.toLocaleString('en')} approved updates: cached, uncached, static`, () => livePart('pages'))) as LiveResults['pages'];
const api: ApiLevel[] = await part(`API under load at ${LEVELS.map((l) => l.toLocaleString('en')).join(' / ')} updates`, () => runApi(LEVELS, LOAD));
const backup: BackupFigures = await part(`backup: export / import at ${BACKUP_UPDATES.toLocaleString('en')} updates`, () => runBackup(BACKUP_UPDATES));
live.start = (await part('npm start: fresh clone (cold), then again (warm)', () => livePart('start'))) as LiveResults['start'];
const planDraft = await part('plan drafter: drafts vs. hand-written content, a 30-page plan', () => runPlanDraft());
live.builds = (await part(`site build: ${TOWNS.map((n) => n.toLocaleString('en')).join(' / ')} synthetic towns`, () => livePart('builds'))) as LiveResults['builds'];

// ---------------------------------------------------------------- budgets

const level = (n: number) => api.find((l) => l.level === n);
const progressAt = (n: number) => level(n)?.load.find((f) => f.route.includes('/progress'));
const overdueSqlAt = (n: number) => level(n)?.queries.find((q) => q.what.startsWith('overdue'));
const top = api[api.length - 1]!;

const budgets: Budget[] = [
  ...liveBudgets(live),
  atMost('API progress p99 at 100k', 'public progress API (JSON) p99 as a multiple of the baseline route (GET /api/v1/ping) at 100k updates', 3, progressAt(100_000)?.ratio?.p99, '×'),
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
];

const total = Math.round((performance.now() - started) / 1000);
const passed = budgets.filter((b) => b.pass === true).length;
const failed = budgets.filter((b) => b.pass === false).length;
const o1m = overdueSqlAt(1_000_000) ?? overdueSqlAt(top.level)!;
const pg = live.pages!.figures;
const b1k = live.builds!.figures[live.builds!.figures.length - 1]!;
const st = live.start!.figures;
const missed = budgets.filter((b) => b.pass === false).map((b) => `${b.short} (${b.value}, budget ${b.limit})`);
const summary =
  `${passed} of ${budgets.length} budgets pass${failed ? `; missed: ${missed.join('; ')}` : ''}. ` +
  `public progress page at ${pg.approved_in_town.toLocaleString('en')} approved updates: p99 ${pg.ratios.cached_p99_vs_plan}× a prerendered page cached, ${pg.ratios.uncached_p99_vs_plan}× on the first request after an approval; ` +
  `overdue board SQL ${o1m.median_ms} ms at ${(overdueSqlAt(1_000_000) ? 1_000_000 : top.level).toLocaleString('en')} updates; ` +
  `site build ${b1k.pages_per_second} pages/s at ${b1k.towns.toLocaleString('en')} towns; npm start ${st.cold.seconds} s cold, ${st.warm.seconds} s warm; ` +
  `public pages with JavaScript: ${live.site!.figures.page_budget.withJs.length} (search included).`;

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
  console: consoleBench.figures,
};

// ---------------------------------------------------------------- report

const md: string[] = [];
const row = (...c: (string | number)[]) => md.push(`| ${c.join(' | ')} |`);
const head = (...c: string[]) => (row(...c), row(...c.map(() => '---')));
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
row('autocannon / astro / lighthouse', `${info.autocannon} / ${info.astro} / ${info.lighthouse}`);
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
md.push('', START, consoleBench.markdown + END);
md.push('', '## How long each part took', '');
head('part', 'seconds');
for (const [k, v] of Object.entries(parts)) row(k, v);
row('**total**', total);
md.push('');

mkdirSync(outDir, { recursive: true });
const base = outBase;
writeFileSync(resolve(outDir, `${base}.json`), JSON.stringify(results, null, 2) + '\n');
writeFileSync(resolve(outDir, `${base}.md`), md.join('\n'));
for (const p of LIVE_PARTS) writeLivePart(outDir, base, p, live[p]!);
writeBackupSection(outDir, base, [backup]);
writePlanDraftSection(outDir, base, planDraft);

console.log(`\n${'─'.repeat(80)}\nbudgets:`);
for (const b of budgets) console.log(`  ${b.pass === null ? '–   ' : b.pass ? 'pass' : 'MISS'}  ${b.name}: ${b.value} (${b.limit}; ${b.margin})`);
console.log(`\nsummary: ${summary}\nwritten: ${resolve(outDir, `${base}.md`)} and .json (${Math.floor(total / 60)} min ${total % 60} s)`);
process.exit(strict && failed ? 1 : 0);
