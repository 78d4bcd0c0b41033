/**
 * Backup benchmark: `npm run export` and `npm run import` (worker/cli/backup.ts) of a local D1 with
 * `updates` synthetic task updates, beside `wrangler d1 export` of the same database as the
 * baseline measured in the same run. Each command runs as its own process; its peak memory is the
 * largest sum of resident set sizes over its whole process tree (node, and the workerd that
 * wrangler starts), sampled every 100 ms from /proc. The round trip export → import into an empty
 * database → export must give the same bytes.
 *
 * The database is built as bench/api.ts builds its own (migrations and content/ with wrangler,
 * 10 synthetic towns, updates written with node:sqlite) in bench/data/backup/src-<updates>/, and
 * kept there: a later run at the same size reuses it.
 *
 * The baseline may fail: at 1,000,000 updates `wrangler d1 export --local` stops with "RangeError:
 * Invalid string length" (miniflare builds the whole dump as one string, over V8's ~512 MiB
 * limit). Its row then records the failure, and the run goes on.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { wrangler, wranglerEnv } from '../worker/cli/wrangler.ts';
import { addSyntheticUpdates, DATA, loadSyntheticTowns, ROOT, writeSyntheticContent } from './synthetic.ts';
import { sqliteFile } from './api.ts';

const TOWNS = 10;
const dir = resolve(DATA, 'backup');
const MiB = 2 ** 20;

/** One measured command. */
export interface Measured {
  what: string;
  command: string;
  seconds: number;
  peak_rss_mb: number;
  bytes: number;
  mb_per_s: number;
  exit: number;
  /** What a failed command said last (only when it may fail: the baseline). */
  error?: string;
}

/** The backup part's figures. */
export interface BackupFigures {
  updates: number;
  rows_in_backup: number;
  database_mb: number;
  backup_mb: number;
  baseline_sql_mb: number;
  runs: Measured[];
  identical: boolean;
  sha256: string;
}

/** Resident set size (bytes) of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const ppid = Number(fields[1]);
      rss.set(pid, Number(fields[21]) * 4096);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      /* the process ended while we looked */
    }
  }
  let sum = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    sum += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return sum;
}

/** Runs a command, measuring wall time and the peak RSS of its process tree. */
async function measure(what: string, cmd: string, args: string[], bytesOf: () => number, opts: { mayFail?: boolean } = {}): Promise<Measured> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid!))), 100);
  const exit: number = await new Promise((r) => child.on('exit', (code) => r(code ?? 1)));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (exit !== 0 && !opts.mayFail) throw new Error(`${what} failed (${exit}):\n${log}`);
  // eslint-disable-next-line no-control-regex
  const error = exit === 0 ? undefined : (log.replace(/\x1b\[[0-9;]*m/g, '').match(/ERROR\]\s*(.*)/)?.[1] ?? log.trim().split('\n').at(-1))?.slice(0, 200);
  const bytes = exit === 0 ? bytesOf() : 0;
  const m: Measured = {
    what,
    command: [cmd === process.execPath ? 'node' : cmd.replace(ROOT + '/', ''), ...args.map((a) => a.replace(ROOT + '/', ''))].join(' '),
    seconds: Math.round(seconds * 10) / 10,
    peak_rss_mb: Math.round(peak / MiB),
    bytes,
    mb_per_s: Math.round((bytes / MiB / seconds) * 10) / 10,
    exit,
    ...(error ? { error } : {}),
  };
  if (error) console.log(`    ${what}: FAILED after ${m.seconds} s (${error}), peak RSS ${m.peak_rss_mb} MB`);
  else console.log(`    ${what}: ${m.seconds} s, ${(bytes / MiB).toFixed(1)} MiB → ${m.mb_per_s} MiB/s, peak RSS ${m.peak_rss_mb} MB`);
  return m;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The source database with `updates` task updates: reused when bench/data/backup/src-<updates> already has exactly that many. */
export async function source(updates: number): Promise<string> {
  const persist = join(dir, `src-${updates}`);
  if (existsSync(persist)) {
    const db = new DatabaseSync(sqliteFile(persist), { readOnly: true });
    const n = Number((db.prepare(`SELECT COUNT(*) AS n FROM task_updates`).get() as { n: number }).n);
    db.close();
    if (n === updates) {
      console.log(`  reusing ${persist} (${updates.toLocaleString('en')} updates)`);
      return persist;
    }
  }
  rmSync(persist, { recursive: true, force: true });
  console.log(`  building ${persist}: migrations + content/ (wrangler), ${TOWNS} synthetic towns, ${updates.toLocaleString('en')} updates (node:sqlite)`);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { quiet: true });
  const r = await new Promise<number>((done) =>
    spawn(process.execPath, ['worker/cli/load-content.ts', '--local', '--persist-to', persist], { cwd: ROOT, stdio: 'inherit', env: wranglerEnv() }).on('exit', (c) => done(c ?? 1)),
  );
  if (r !== 0) throw new Error('content load failed');
  const { contentDir } = writeSyntheticContent(join(dir, `synthetic-${updates}`), TOWNS);
  const db = new DatabaseSync(sqliteFile(persist));
  db.exec('PRAGMA foreign_keys = ON');
  await loadSyntheticTowns(db, contentDir);
  addSyntheticUpdates(db, updates);
  db.close();
  return persist;
}

/** The whole backup part. */
export async function runBackup(updates: number): Promise<BackupFigures> {
  const src = await source(updates);
  const files = join(dir, 'files');
  rmSync(files, { recursive: true, force: true });
  mkdirSync(files, { recursive: true });
  const base = join(files, 'wrangler-d1-export.sql');
  const a = join(files, 'export.ndjson');
  const b = join(files, 'export-again.ndjson');
  const dst = join(dir, 'dst');
  rmSync(dst, { recursive: true, force: true });
  const size = (f: string) => () => statSync(f).size;
  const cli = (args: string[]) => [resolve(ROOT, 'worker/cli/backup.ts'), ...args];
  const runs: Measured[] = [];
  // `wrangler d1 export` has no --persist-to: it reads <config's folder>/.wrangler/state. A folder with
  // a copy of wrangler.toml whose .wrangler/state is the source database points it there.
  const project = join(dir, 'wrangler-project');
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, '.wrangler'), { recursive: true });
  copyFileSync(resolve(ROOT, 'wrangler.toml'), join(project, 'wrangler.toml'));
  symlinkSync(src, join(project, '.wrangler/state'));
  runs.push(await measure('baseline: wrangler d1 export (SQL dump)', resolve(ROOT, 'node_modules/.bin/wrangler'), ['d1', 'export', 'DB', '--local', '--config', join(project, 'wrangler.toml'), '--output', base], size(base), { mayFail: true }));
  runs.push(await measure('npm run export (whole database)', process.execPath, cli(['export', '--local', '--persist-to', src, '--out', a]), size(a)));
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dst], { quiet: true });
  runs.push(await measure('npm run import (into an empty database)', process.execPath, cli(['import', a, '--local', '--persist-to', dst]), size(a)));
  runs.push(await measure('npm run export (of the restored database)', process.execPath, cli(['export', '--local', '--persist-to', dst, '--out', b]), size(b)));
  const [ha, hb] = [await sha256File(a), await sha256File(b)];
  const lastLine = readFileSync(a, 'utf8').slice(-300).trimEnd().split('\n').at(-1)!;
  const fig: BackupFigures = {
    updates,
    rows_in_backup: (JSON.parse(lastLine) as { end: { rows: number } }).end.rows,
    database_mb: Math.round(statSync(sqliteFile(src)).size / MiB),
    backup_mb: Math.round(statSync(a).size / MiB),
    baseline_sql_mb: existsSync(base) ? Math.round(statSync(base).size / MiB) : 0,
    runs,
    identical: ha === hb,
    sha256: ha,
  };
  console.log(`    round trip ${fig.identical ? 'byte-identical' : 'DIFFERS'} (sha256 ${ha.slice(0, 16)}…)`);
  rmSync(files, { recursive: true, force: true });
  rmSync(dst, { recursive: true, force: true });
  return fig;
}

/** The results.md section (between markers, so a `--only backup` run replaces just this part): one table per size. */
export function backupMarkdown(figs: BackupFigures[], when: string): string {
  const sizes = figs.map((f) => f.updates);
  const flag = sizes.length === 1 && sizes[0] === 1_000_000 ? '' : ` --updates ${sizes.join(',')}`;
  const md: string[] = ['<!-- backup:start -->', '## Backup and restore', ''];
  md.push(
    `Written by \`npm run bench -- --only backup${flag}\` (bench/backup.ts) on ${when}. ` +
      `Each database: content/, 10 synthetic towns and N synthetic task updates, a local D1 (miniflare's SQLite file). ` +
      `Each command is its own process; peak RSS is the largest sum over its process tree (node, and workerd where wrangler starts one), sampled every 100 ms. ` +
      `MiB/s = the file written (or read) ÷ wall time. The baseline is \`wrangler d1 export --local\` of the same database in the same run. ` +
      `The machine is 2 cores shared with other work: single runs are noisy.`,
    '',
  );
  for (const f of figs) {
    const base = f.runs[0]!;
    md.push(`### ${f.updates.toLocaleString('en')} updates (${f.rows_in_backup.toLocaleString('en')} rows, database ${f.database_mb.toLocaleString('en')} MiB)`, '');
    md.push('| command | seconds | file MiB | MiB/s | × baseline time | peak RSS MB | budget (≤ 512 MB) |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of f.runs) {
      const budget = r === base ? '–' : r.peak_rss_mb <= 512 ? '✅ pass' : '❌ **miss**';
      if (r.error) {
        md.push(`| ${r.what} | failed after ${r.seconds} | – | – | – | ${r.peak_rss_mb} | ${budget} |`);
        continue;
      }
      const ratio = base.error ? '– (baseline failed)' : String(Math.round((r.seconds / base.seconds) * 100) / 100);
      md.push(`| ${r.what} | ${r.seconds} | ${(r.bytes / MiB).toFixed(1)} | ${r.mb_per_s} | ${ratio} | ${r.peak_rss_mb} | ${budget} |`);
    }
    md.push('', `Round trip export → import → export: ${f.identical ? '✅ byte-identical' : '❌ **differs**'} (sha256 \`${f.sha256}\`).`);
    if (base.error) md.push('', `The baseline failed: \`${base.error}\` (miniflare's D1 export builds the whole SQL dump as one string).`);
    md.push('');
  }
  md.push('<!-- backup:end -->');
  return md.join('\n');
}
