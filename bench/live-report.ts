/**
 * The budgets of issue 13 (live public pages) and the results.md sections of the parts that
 * measure them: `pages` (bench/pages.ts), `start` (bench/start.ts), `site` (bench/site.ts: normal
 * build, bytes per page type, page budgets, Lighthouse) and `builds` (synthetic site builds).
 * A full `npm run bench` writes them all; `npm run bench -- --only <part>` measures one part and
 * replaces its section, its key in results.json and the budget table of these parts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PagesFigures } from './pages.ts';
import type { BuildFigure, LighthouseFigure, PageBudgetFigure, PageTypeFigure } from './site.ts';
import type { StartFigures } from './start.ts';

export interface Budget {
  name: string;
  short: string;
  limit: string;
  value: string;
  pass: boolean | null;
  margin: string;
}

const pct = (a: number, b: number) => `${Math.round((Math.abs(a - b) / b) * 100)} %`;
const r2 = (x: number) => Math.round(x * 100) / 100;
export const atMost = (short: string, name: string, limit: number, value: number | undefined, unit: string, fmt = (x: number) => String(x)): Budget => {
  if (value === undefined || Number.isNaN(value)) return { name, short, limit: `≤ ${fmt(limit)} ${unit}`, value: 'not measured', pass: null, margin: '–' };
  const pass = value <= limit;
  return { name, short, limit: `≤ ${fmt(limit)} ${unit}`, value: `${fmt(value)} ${unit}`, pass, margin: pass ? `${fmt(r2(limit - value))} ${unit} to spare` : `missed by ${fmt(r2(value - limit))} ${unit} (${pct(value, limit)} over)` };
};
export const atLeast = (short: string, name: string, limit: number, value: number | undefined, unit: string): Budget => {
  if (value === undefined || Number.isNaN(value)) return { name, short, limit: `≥ ${limit} ${unit}`, value: 'not measured', pass: null, margin: '–' };
  const pass = value >= limit;
  return { name, short, limit: `≥ ${limit} ${unit}`, value: `${value} ${unit}`, pass, margin: pass ? `${r2(value - limit)} ${unit} to spare` : `missed by ${r2(limit - value)} ${unit} (${pct(value, limit)} short)` };
};
export const mark = (b: boolean | null) => (b === null ? '–' : b ? '✅ pass' : '❌ **miss**');
const KB = 1024;
export const kb = (x: number) => (Math.round((x / KB) * 10) / 10).toFixed(1);

export interface SiteFigures {
  normal_build: BuildFigure;
  page_types: PageTypeFigure[];
  page_budget: PageBudgetFigure;
  lighthouse: LighthouseFigure[];
}

/** What each part adds to results.json (each with when it was measured and the load around it). */
export interface Measured<T> {
  date: string;
  commit: string;
  quick: boolean;
  load_average: { start: number[]; end: number[] };
  figures: T;
}

export interface LiveResults {
  pages?: Measured<PagesFigures>;
  start?: Measured<StartFigures>;
  site?: Measured<SiteFigures>;
  builds?: Measured<BuildFigure[]>;
}

/** The budgets of issue 13 from whatever parts were measured. */
export function liveBudgets(j: LiveResults): Budget[] {
  const p = j.pages?.figures;
  const at = p ? `${p.approved_in_town.toLocaleString('en')} approved updates in the town` : '100,000 updates';
  const lh = j.site?.figures.lighthouse ?? [];
  const lowest = lh.length ? Math.min(...lh.flatMap((l) => [l.performance, l.accessibility, l.best_practices, l.seo])) : undefined;
  const lowestAt = lh.flatMap((l) => (['performance', 'accessibility', 'best_practices', 'seo'] as const).map((c) => ({ page: l.page, c, s: l[c] }))).sort((a, b) => a.s - b.s)[0];
  const pb = j.site?.figures.page_budget;
  const heavy100k = p ? [...p.weights].sort((a, b) => b.total_gzip_without_fonts - a.total_gzip_without_fonts)[0] : undefined;
  const b1k = j.builds?.figures.find((b) => b.towns === 1_000);
  // Results written before issue 23 have no step times.
  const st = j.start?.figures.cold.step_seconds ? j.start.figures : undefined;
  return [
    atMost('cached progress p99', `public progress page p99 from the page cache, as a multiple of the prerendered plan page of the same server (${at}; under load)`, 1.5, p?.ratios.cached_p99_vs_plan, '×'),
    atMost('uncached progress p99', `public progress page p99 on the first request after an approval (rendered from D1), as a multiple of the plan page measured in the same loop (${at})`, 3, p?.ratios.uncached_p99_vs_plan, '×'),
    atLeast('site build at 1,000 towns', 'site build (astro build; prerendered pages) at 1,000 towns', 100, b1k?.pages_per_second, 'pages/s'),
    atMost('npm start warm', '`npm start` warm restart on an unchanged tree, until /api/health answers', 10, j.start?.figures.warm.seconds, 's'),
    atMost('npm start cold', '`npm start` on a fresh clone (node_modules present), until /api/health answers', 120, j.start?.figures.cold.seconds, 's'),
    atMost(
      'npm start database steps',
      '`npm start` cold: its database steps (migrations, content, demo accounts) as a share of the whole cold start, 冯卯镇 alone',
      10,
      st ? Math.round((st.cold.step_seconds.database / st.cold.seconds) * 1000) / 10 : undefined,
      '%',
    ),
    atMost('npm start database steps at scale', `\`npm start\` on a fresh database folder: its database steps with ${st?.scale ? st.scale.towns.toLocaleString('en') : '1,000'} towns to load`, 30, st?.scale?.step_seconds.database, 's'),
    atMost('public JavaScript', `public pages that load JavaScript (${pb ? `${pb.pages} pages: ${pb.prerendered} prerendered + ${pb.on_demand} on demand` : 'every public page'}; /search/ included; /console/ is not public)`, 0, pb?.withJs.length, 'pages'),
    atMost('town page size', `heaviest town page in total, gzip, fonts excluded, fixture data (${pb?.heaviest.page ?? '–'})`, 100 * KB, pb?.heaviest.gzip, 'KB', kb),
    atMost('town page size at scale', `heaviest town page in total, gzip, fonts excluded, at ${at} (${heavy100k?.path ?? '–'})`, 100 * KB, heavy100k?.total_gzip_without_fonts, 'KB', kb),
    atLeast('Lighthouse', `lowest Lighthouse score (mobile) over ${lh.length || 'the'} pages × 4 categories${lowestAt ? ` (${lowestAt.page}, ${lowestAt.c.replace('_', ' ')})` : ''}`, 95, lowest, 'points'),
  ];
}

const when = (m: Measured<unknown>) => `${m.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${m.commit.slice(0, 10)}\`, load average ${m.load_average.start.join(', ')} → ${m.load_average.end.join(', ')}${m.quick ? ' (quick run)' : ''}`;

/** The budget table of issue 13. */
export function liveBudgetsMarkdown(j: LiveResults): string {
  const md: string[] = ['## Budgets of the live public site (issue 13)', ''];
  md.push(
    'Measured part by part (`npm run bench -- --only pages|start|site|builds`, or all in a full run), each once, on the shared 2-core machine while other engineers were working on it: the absolute times are noisy, which is why the latency budgets are ratios to a static file measured side by side on the same server in the same run.',
    '',
  );
  for (const [k, v] of Object.entries(j)) if (v) md.push(`- \`${k}\`: ${when(v as Measured<unknown>)}`);
  md.push('', '| budget | limit | measured | result | margin |', '| --- | --- | --- | --- | --- |');
  for (const b of liveBudgets(j)) md.push(`| ${b.name} | ${b.limit} | ${b.value} | ${mark(b.pass)} | ${b.margin} |`);
  return md.join('\n') + '\n';
}

export function pagesMarkdown(m: Measured<PagesFigures>): string {
  const f = m.figures;
  const md: string[] = ['## Public pages at scale: cached, uncached, static', ''];
  md.push(
    `Measured ${when(m)}. The Worker built with one synthetic town (\`CONTENT_DIR\`: towns are content; \`bench/data/pages/dist\`, as \`npm run build\` builds dist/) under \`wrangler dev\` over a local D1 (\`bench/data/pages/d1\`) with content/ and that town, \`${f.town}\`, holding ${f.updates_in_town.toLocaleString('en')} updates, ${f.approved_in_town.toLocaleString('en')} of them approved (every synthetic update is approved, so every one is public progress of the measured town; ${f.indicator_values_in_town.toLocaleString('en')} indicator values). Its progress page is ${kb(f.progress_html.raw)} KB of HTML (${kb(f.progress_html.gzip)} KB gzip).`,
    '',
    `**Baseline.** The budget's "static asset of the same server" is the town's prerendered plan page (\`/towns/${f.town}/plan/\`): an HTML page of the same site that goes through the same Worker code (run_worker_first, reading settings, security headers) and is then read from Static Assets, so the ratio isolates what the live page adds (cache lookup, or D1 read and render). \`/favicon.svg\` (Static Assets alone, no Worker) is shown too; its ratios are the stricter figure.`,
    '',
    `**Cached.** autocannon, ${f.load.connections} connections, ${f.load.seconds} s per route in ${f.load.rounds} interleaved rounds (favicon, plan, progress, then again); the progress page is requested once right before its round (the copy lives 60 s) and checked to be a cache hit (CF-Cache-Status: HIT) right after it.`,
    '',
    '| route | p50 ms | p99 ms | req/s | p50 × plan | p99 × plan | requests | non-2xx |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of f.load.routes) md.push(`| ${r.route} | ${r.p50_ms} | ${r.p99_ms} | ${r.rps} | ${r.ratio?.p50} | ${r.ratio?.p99} | ${r.requests} | ${r.non2xx + r.errors} |`);
  const a = f.after_write;
  md.push(
    '',
    `**Uncached: the first request after a write.** The Worker has no way for a reader to skip its cache, and the bench adds none: a loop of ${a.iterations} iterations (${a.planned} planned, stopped after ${a.seconds_cap} s if not done) submits an update (reporter) and approves it (office) through the API, which purges the town's pages as every approval does; then, one request at a time, it times GET progress (a miss: ${a.misses_seen} of ${a.series[0]!.requests} had no CF-Cache-Status: HIT, and ${a.fresh_seen} showed the narrative just approved), GET progress again (${a.hits_seen} of ${a.series[1]!.requests} were hits), the plan page and the favicon. The submit and approve themselves are not timed. This is what the next reader after an approval waits for, at this database size.`,
    '',
    '| request | p50 ms | p99 ms | max ms | requests |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const s of a.series) md.push(`| ${s.what} (\`${s.path}\`) | ${s.p50_ms} | ${s.p99_ms} | ${s.max_ms} | ${s.requests} |`);
  if (Object.keys(a.write_errors).length) md.push('', `Write errors in the loop: ${JSON.stringify(a.write_errors)}.`);
  const x = f.ratios;
  md.push(
    '',
    `Ratios (p99): cached ${x.cached_p99_vs_plan}× the plan page (${x.cached_p99_vs_favicon}× the favicon) under load; uncached ${x.uncached_p99_vs_plan}× the plan page (${x.uncached_p99_vs_favicon}× the favicon) in the loop; the cached request of the loop ${x.cached_in_loop_p99_vs_plan}× the plan page.`,
    '',
    `**Where a render goes.** The statements of \`readPublicTown\` (worker/db/public.ts; one D1 batch per render) for \`${f.town}\`, run with node:sqlite on the database file (no Worker, no D1 overhead), ${f.sql[0]?.runs ?? 0} runs each after one untimed run:`,
    '',
    '| statement | rows | median ms | max ms |',
    '| --- | --- | --- | --- |',
  );
  for (const q of f.sql) md.push(`| ${q.what} | ${q.rows.toLocaleString('en')} | ${q.median_ms} | ${q.max_ms} |`);
  md.push('', `**Weight of the town's on-demand pages at this size** (as served; total = HTML + CSS + JS + images, gzip, fonts excluded):`, '', '| page | HTML gzip KB | total gzip KB | scripts |', '| --- | --- | --- | --- |');
  for (const w of f.weights) md.push(`| \`${w.path}\` | ${kb(w.html_gzip)} | ${kb(w.total_gzip_without_fonts)} | ${w.scripts.join(', ') || '–'} |`);
  return md.join('\n') + '\n';
}

export function startMarkdown(m: Measured<StartFigures>): string {
  const f = m.figures;
  const md: string[] = ['## `npm start`: cold and warm', ''];
  md.push(
    `Measured ${when(m)}. \`git clone\` of commit \`${f.commit.slice(0, 10)}\` into a temporary folder, \`node_modules\` linked to this checkout's (the state after \`npm install\`; Astro's cache under node_modules/.astro is therefore shared with this checkout), then \`npm start\` (PORT set) timed from spawn until GET /api/health answers 200; its process group is stopped; then \`npm start\` again on the unchanged clone; then \`npm start -- --no-build --persist-to <fresh folder>\` with CONTENT_DIR holding ${f.scale ? f.scale.towns.toLocaleString('en') : '1,000'} towns (synthetic copies of 冯卯镇's plan, and 冯卯镇 for the demo accounts); then once more on that database folder with one town added to CONTENT_DIR. The database steps run inside \`npm start\` (node:sqlite on miniflare's file, no wrangler spawn); their seconds are those \`npm start\` measured and printed: wall time from deciding what to skip to closing the file, and the CPU time of that span (which other work on the machine does not inflate). Step lines are when \`npm start\` printed them (▶ runs, ✓ skipped), in seconds since the spawn.`,
    '',
    '| start | seconds to /api/health 200 | build | database steps: wall, CPU (migrations + content + demo accounts) | steps |',
    '| --- | --- | --- | --- | --- |',
  );
  const runs: [string, (typeof f)['cold'] | undefined][] = [['cold (fresh clone, 冯卯镇)', f.cold], ['warm (unchanged tree)', f.warm], [`cold database, ${f.scale?.towns.toLocaleString('en') ?? '–'} towns, --no-build`, f.scale], [`then one town added (${f.scaleAdd?.towns.toLocaleString('en') ?? '–'} towns), same database, --no-build`, f.scaleAdd]];
  for (const [name, r] of runs) {
    if (!r) continue;
    const d = r.step_seconds;
    md.push(
      `| ${name} | ${r.seconds} | ${d ? `${d.build} s` : '–'} | ${d ? `${d.database} s, ${d.database_cpu ?? '–'} s CPU (${d.migrations} + ${d.content} + ${d.demo_accounts})` : '–'} | ${r.steps.map((s) => `${s.at} s ${s.line.replace(/\|/g, '\\|')}`).join('<br>')} |`,
    );
  }
  return md.join('\n') + '\n';
}

export function siteMarkdown(m: Measured<SiteFigures>): string {
  const f = m.figures;
  const n = f.normal_build;
  const md: string[] = ['## Site: build, bytes per page, JavaScript, Lighthouse', ''];
  md.push(
    `Measured ${when(m)}. \`npm run build\` (astro build with prerenderEnvironment 'node'${n.pagefind_seconds ? ', then pagefind over dist/client' : ''}): ${n.html_pages} prerendered HTML pages, ${n.files} files in dist/client, astro ${n.astro_seconds} s${n.pagefind_seconds ? ` + pagefind ${n.pagefind_seconds} s` : ''} = ${n.total_seconds} s (${n.pages_per_second} pages/s). Pages rendered on demand are read from the built Worker under \`wrangler dev\` over a fresh local D1 with content/ and the seeded public data of tests/fixtures/public (tests/site/live-site.ts, as the site tests read them).`,
    '',
    '### Bytes per page type',
    '',
    'CSS is inlined into the HTML (`inlineStylesheets: always`), so the HTML figure includes it; the inline CSS is shown apart. gzip = zlib default level. Total = HTML + external CSS + JS + images referenced, fonts excluded (the site references no fonts). All figures in KB (1,024 bytes).',
    '',
    '| page type | path | HTML raw | HTML gzip | inline CSS raw | inline CSS gzip | ext. CSS gzip | JS raw | JS gzip | images gzip | total gzip | scripts |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const t of f.page_types) md.push(`| ${t.type} | \`${t.path}\` | ${kb(t.html_raw)} | ${kb(t.html_gzip)} | ${kb(t.inline_css_raw)} | ${kb(t.inline_css_gzip)} | ${kb(t.css_gzip)} | ${kb(t.js_raw)} | ${kb(t.js_gzip)} | ${kb(t.images_gzip)} | ${kb(t.total_gzip_without_fonts)} | ${t.scripts.join(', ') || '–'} |`);
  const pb = f.page_budget;
  md.push(
    '',
    `Every public page: ${pb.pages} (${pb.prerendered} prerendered in dist/client without /console/, ${pb.on_demand} rendered on demand for the towns of content/). Pages loading JavaScript: ${pb.withJs.length ? pb.withJs.map((p) => `\`${p}\``).join(', ') : 'none'}${pb.search_js_gzip ? ` (/search/: ${kb(pb.search_js_gzip)} KB gzip)` : ' (search included)'}. Heaviest town page: \`${pb.heaviest.page}\`, ${kb(pb.heaviest.gzip)} KB gzip.`,
    '',
    '### Lighthouse (mobile)',
    '',
    "Lighthouse's default mobile preset (simulated throttling), all four categories, on the same `wrangler dev` server (on-demand pages through the page cache, the Worker's headers, no compression: wrangler dev sends none), Chromium from Debian. Audits below 0.9 are listed.",
    '',
    '| page | path | performance | accessibility | best practices | SEO | LCP ms | TBT ms | CLS | FCP ms | audits below 0.9 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const l of f.lighthouse) md.push(`| ${l.page} | \`${l.path}\` | ${l.performance} | ${l.accessibility} | ${l.best_practices} | ${l.seo} | ${l.lcp_ms} | ${l.tbt_ms} | ${l.cls} | ${l.fcp_ms} | ${l.low_audits.join(', ') || '–'} |`);
  return md.join('\n') + '\n';
}

export function buildsMarkdown(m: Measured<BuildFigure[]>): string {
  const md: string[] = ['## Site build at scale', ''];
  md.push(
    `Measured ${when(m)}. \`astro build\`, as \`npm run build\` runs it (pagefind s: 0 since search reads D1). Synthetic towns are copies of 冯卯镇's plan (\`synthetic-0001\` …, names 【合成数据】…) written to \`bench/data/site-<n>/content\` and built with \`CONTENT_DIR\` into \`bench/data/site-<n>/dist\`. Only pages that come from content/ alone are prerendered (per town: plan and group; plus comparison, 404 and the console shell); a town's overview, progress, tasks, targets and English pages are rendered on demand and are not part of a build. Pages = prerendered HTML files.`,
    '',
    '| towns | HTML pages | files | astro s | pagefind s | total s | pages/s (total) | pages/s (astro only) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const b of m.figures) md.push(`| ${b.towns.toLocaleString('en')} synthetic | ${b.html_pages} | ${b.files} | ${b.astro_seconds} | ${b.pagefind_seconds} | ${b.total_seconds} | ${b.pages_per_second} | ${b.astro_pages_per_second} |`);
  return md.join('\n') + '\n';
}

const SECTIONS = ['live-budgets', 'site', 'pages', 'start', 'builds'] as const;

/** Replaces (or adds, in SECTIONS order after the summary) one marked section of a results.md text. */
export function putSection(md: string, key: (typeof SECTIONS)[number], body: string): string {
  const start = `<!-- ${key}:start -->`;
  const end = `<!-- ${key}:end -->`;
  const block = `${start}\n${body}${end}`;
  const re = new RegExp(`${start}[\\s\\S]*?${end}`);
  if (re.test(md)) return md.replace(re, block);
  // After the previous section of SECTIONS that exists, else before "## Machine", else at the end.
  const prev = SECTIONS.slice(0, SECTIONS.indexOf(key)).reverse().find((k) => md.includes(`<!-- ${k}:end -->`));
  if (prev) return md.replace(`<!-- ${prev}:end -->`, `<!-- ${prev}:end -->\n\n${block}`);
  const i = md.indexOf('## Machine');
  return i >= 0 ? `${md.slice(0, i)}${block}\n\n${md.slice(i)}` : `${md.trimEnd()}\n\n${block}\n`;
}

/** Rewrites the live sections of `<dir>/<base>.md` from the figures in `<dir>/<base>.json` (after a change of wording; measures nothing). */
export function renderLiveParts(dir: string, base: string): (keyof LiveResults)[] {
  const json = JSON.parse(readFileSync(resolve(dir, `${base}.json`), 'utf8'));
  const live: LiveResults = json.live ?? {};
  const parts = (Object.keys(live) as (keyof LiveResults)[]).filter((k) => live[k]);
  for (const k of parts) writeLivePart(dir, base, k, live[k]!);
  return parts;
}

/** Writes one measured part into `<dir>/<base>.json` (key = part) and `<dir>/<base>.md` (its section and the budget table). */
export function writeLivePart(dir: string, base: string, part: keyof LiveResults, measured: Measured<unknown>): LiveResults {
  const jsonFile = resolve(dir, `${base}.json`);
  const json = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  const live: LiveResults = { ...(json.live ?? {}), [part]: measured };
  writeFileSync(jsonFile, JSON.stringify({ ...json, live, live_budgets: liveBudgets(live) }, null, 2) + '\n');
  const mdFile = resolve(dir, `${base}.md`);
  let md = existsSync(mdFile) ? readFileSync(mdFile, 'utf8') : '# Benchmark results\n';
  md = putSection(md, 'live-budgets', liveBudgetsMarkdown(live));
  const body =
    part === 'pages' ? pagesMarkdown(measured as Measured<PagesFigures>)
    : part === 'start' ? startMarkdown(measured as Measured<StartFigures>)
    : part === 'site' ? siteMarkdown(measured as Measured<SiteFigures>)
    : buildsMarkdown(measured as Measured<BuildFigure[]>);
  md = putSection(md, part, body);
  writeFileSync(mdFile, md);
  return live;
}
