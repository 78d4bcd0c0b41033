/**
 * Synthetic scale data for `npm run bench` — clearly marked, never written into content/.
 *
 * - Towns: copies of content/towns/fengmao with ids `synthetic-0001` …, names prefixed 【合成数据】,
 *   written as a content folder (for the site build, CONTENT_DIR) and loaded into a local D1 with
 *   the content loader's own statements (worker/db/content.ts).
 * - Updates: task updates spread over the synthetic towns' tasks, with review states, timestamps
 *   and indicator values, written straight into the local D1's SQLite file with node:sqlite
 *   (while no wrangler process holds it). Every row satisfies the schema's checks and foreign keys.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { CONTENT_DIR, readContent } from '../worker/content/read.ts';
import { contentStatements } from '../worker/db/content.ts';
import type { Stmt } from '../worker/db/sql.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const DATA = resolve(ROOT, 'bench/data');
export const SYNTHETIC_MARK = '【合成数据】';
export const syntheticTownId = (i: number): string => `synthetic-${String(i).padStart(4, '0')}`;

/** A one-line progress bar on stderr (a TTY redraws it; a log gets one line per 10 %). */
export function progressBar(label: string, total: number): { tick: (done: number) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let lastShown = -1;
  const started = performance.now();
  const draw = (done: number) => {
    const frac = total ? done / total : 1;
    const width = 30;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    return `  ${label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${secs}s`;
  };
  return {
    tick(done) {
      const decile = Math.floor((done / Math.max(total, 1)) * 10);
      if (tty) process.stderr.write(`\r${draw(done)}`);
      else if (decile !== lastShown) (process.stderr.write(draw(done) + '\n'), (lastShown = decile));
    },
    end() {
      if (tty) process.stderr.write(`\r${draw(total)}\n`);
      else if (lastShown !== 10) process.stderr.write(draw(total) + '\n');
    },
  };
}

/**
 * Writes a content folder with `n` synthetic towns (and the real indicator catalogue and
 * jurisdictions, which the pages need). Their progress lives in a database (addSyntheticUpdates):
 * the pages that show it are rendered on demand, never at build time.
 */
export function writeSyntheticContent(dir: string, n: number, opts: { countySize?: number } = {}): { contentDir: string } {
  rmSync(dir, { recursive: true, force: true });
  const contentDir = join(dir, 'content');
  mkdirSync(join(contentDir, 'towns'), { recursive: true });
  writeFileSync(join(dir, 'README.txt'), `${SYNTHETIC_MARK} SYNTHETIC benchmark data written by bench/synthetic.ts. Not real towns; never copy into content/.\n`);
  cpSync(join(CONTENT_DIR, 'indicators.yaml'), join(contentDir, 'indicators.yaml'));
  cpSync(join(CONTENT_DIR, 'jurisdictions'), join(contentDir, 'jurisdictions'), { recursive: true });
  const src = join(CONTENT_DIR, 'towns/fengmao');
  const townYaml = readFileSync(join(src, 'town.yaml'), 'utf8');
  const { countySize } = opts;
  if (countySize) writeFileSync(join(contentDir, 'regions.yaml'), syntheticRegionsYaml(Math.ceil(n / countySize)));
  for (let i = 1; i <= n; i++) {
    const id = syntheticTownId(i);
    const d = join(contentDir, 'towns', id);
    cpSync(src, d, { recursive: true });
    writeFileSync(
      join(d, 'town.yaml'),
      `# ${SYNTHETIC_MARK} SYNTHETIC benchmark town ${id} (a copy of fengmao's plan); not a real town.\n` +
        townYaml
          .replace(/^id: fengmao$/m, `id: ${id}`)
          .replace(/^name: .*$/m, `name: ${SYNTHETIC_MARK}合成镇${String(i).padStart(4, '0')}`)
          // name_en carries its basis (issue 17); synthetic towns are demonstration data (demo: true)
          .replace(/^name_en:\n(?: {2}.*\n)+/m, `name_en: { value: Synthetic Town ${String(i).padStart(4, '0')} (synthetic data), basis: external, note: 合成数据 }\ndemo: true\n`)
          // with counties: town i is in synthetic county ceil(i / countySize), all in one synthetic city
          .replace(/^city:\n(?: {2}.*\n)+/m, countySize ? `city: { value: ${SYNTHETIC_CITY}, basis: external, note: 合成数据 }\n` : '$&')
          .replace(/^county:\n(?: {2}.*\n)+/m, countySize ? `county: { value: ${syntheticCountyName(Math.ceil(i / countySize))}, basis: external, note: 合成数据 }\n` : '$&'),
    );
  }
  return { contentDir };
}

/** The synthetic city that holds every synthetic county (writeSyntheticContent with countySize). */
export const SYNTHETIC_CITY = `${SYNTHETIC_MARK}合成市`;
export const syntheticCountyName = (k: number): string => `${SYNTHETIC_MARK}合成县${String(k).padStart(2, '0')}`;
export const syntheticCountyId = (k: number): string => `synthetic-county-${String(k).padStart(2, '0')}`;

/** content/regions.yaml's real regions, then one synthetic city and `counties` synthetic counties in it. */
function syntheticRegionsYaml(counties: number): string {
  const real = readFileSync(join(CONTENT_DIR, 'regions.yaml'), 'utf8');
  const lines = [`- id: synthetic-city\n  name: ${SYNTHETIC_CITY}\n  name_en: Synthetic City (synthetic data)\n  level: city`];
  for (let k = 1; k <= counties; k++)
    lines.push(
      `- id: ${syntheticCountyId(k)}\n  name: ${syntheticCountyName(k)}\n  name_en: Synthetic County ${k} (synthetic data)\n  level: county\n  city:\n    region: synthetic-city\n    basis: external\n    note: 合成数据`,
    );
  return `${real.trimEnd()}\n# ${SYNTHETIC_MARK} SYNTHETIC benchmark regions (bench/synthetic.ts)\n${lines.join('\n')}\n`;
}

/** Runs statements (the project's Stmt builders) in one transaction, each distinct SQL text prepared once. */
export function runStmts(db: DatabaseSync, stmts: Stmt[]): void {
  const prepared = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prep = (sql: string) => prepared.get(sql) ?? prepared.set(sql, db.prepare(sql)).get(sql)!;
  db.exec('BEGIN');
  try {
    for (const s of stmts) prep(s.sql).run(...s.params);
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

/** Loads the synthetic towns of `contentDir` into the database with the content loader's statements. */
export async function loadSyntheticTowns(db: DatabaseSync, contentDir: string): Promise<number> {
  const bundle = readContent(contentDir);
  runStmts(db, await contentStatements(bundle, new Date().toISOString(), 'system:bench-synthetic'));
  return bundle.towns.length;
}

/** Small fast deterministic PRNG (mulberry32), so every run generates the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TaskRow {
  town_id: string;
  id: string;
  unit_id: string;
  indicator_id: string | null;
}

const SPAN_FROM = Date.parse('2018-01-15T00:00:00Z');
const SPAN_TO = Date.parse('2026-11-25T00:00:00Z');

/**
 * Adds synthetic updates until the table holds `target` rows (numbered after the existing ones),
 * round-robin over every task of the synthetic towns: 85 % approved, 10 % rejected, 5 % pending
 * (or every one approved with `allApproved`, the heaviest case for the public pages, which show
 * approved progress only); one approved update in five of a task with a numeric indicator carries
 * a measurement (indicator_values). Then sets each synthetic task's status, percent and version
 * from its approved updates, as approvals would have. Returns the number of rows added.
 */
export function addSyntheticUpdates(db: DatabaseSync, target: number, opts: { allApproved?: boolean; town?: string } = {}): number {
  const existing = Number((db.prepare(`SELECT COUNT(*) AS n FROM task_updates`).get() as { n: number }).n);
  const add = target - existing;
  if (add <= 0) return 0;
  const tasks = db
    .prepare(
      `SELECT t.town_id, t.id,
              (SELECT tu.unit_id FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id ORDER BY tu.role = 'lead' DESC, tu.ordinal LIMIT 1) AS unit_id,
              (SELECT ti.indicator_id FROM task_indicators ti JOIN indicators i ON i.id = ti.indicator_id
                WHERE ti.town_id = t.town_id AND ti.task_id = t.id AND i.kind = 'numeric' ORDER BY ti.indicator_id LIMIT 1) AS indicator_id
         FROM tasks t WHERE t.town_id LIKE ? AND t.kind <> 'rectification' ORDER BY t.town_id, t.ordinal`,
    )
    .all(opts.town ?? 'synthetic-%') as unknown as TaskRow[];
  const withUnit = tasks.filter((t) => t.unit_id);
  if (!withUnit.length) throw new Error('no synthetic towns loaded');
  const seq = Number((db.prepare(`SELECT COUNT(*) AS n FROM task_updates WHERE id LIKE 'syn-%'`).get() as { n: number }).n);
  const rand = prng(0x5eed + seq);
  const insUpdate = db.prepare(
    `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, measurements_json, evidence_json, base_version, created_at, reviewed_by, reviewed_at, reject_reason)
     VALUES (?, ?, ?, ?, 'system:bench-synthetic', ?, ?, ?, ?, ?, '[]', 1, ?, ?, ?, ?)`,
  );
  const insValue = db.prepare(
    `INSERT INTO indicator_values (update_id, ordinal, town_id, indicator_id, value, as_of, source, approved_at) VALUES (?, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const bar = progressBar(`updates → ${target.toLocaleString('en')}`, add);
  const CHUNK = 20_000;
  for (let done = 0; done < add; ) {
    const n = Math.min(CHUNK, add - done);
    db.exec('BEGIN');
    for (let k = 0; k < n; k++) {
      const no = seq + done + k;
      const t = withUnit[no % withUnit.length]!;
      const created = SPAN_FROM + Math.floor(rand() * (SPAN_TO - SPAN_FROM));
      const reviewed = new Date(created + Math.floor(rand() * 7 * 86_400_000)).toISOString();
      const r = rand();
      const state = opts.allApproved || r < 0.85 ? 'approved' : r < 0.95 ? 'rejected' : 'pending';
      const percent = Math.floor(rand() * 101);
      const status = percent === 100 ? 'completed' : rand() < 0.05 ? 'blocked' : percent === 0 ? 'not_started' : 'in_progress';
      const id = `syn-${String(no).padStart(8, '0')}`;
      const measured = state === 'approved' && t.indicator_id !== null && rand() < 0.2;
      const asOf = new Date(created).toISOString().slice(0, 10);
      const value = Math.round(rand() * 1000) / 10;
      const source = `${SYNTHETIC_MARK}基准测试生成`;
      insUpdate.run(
        id,
        t.town_id,
        t.id,
        t.unit_id,
        state,
        status,
        percent,
        `${SYNTHETIC_MARK}第 ${no} 条进展：按计划推进。`,
        measured ? JSON.stringify([{ indicator: t.indicator_id, value, as_of: asOf, source }]) : '[]',
        new Date(created).toISOString(),
        state === 'pending' ? null : 'system:bench-synthetic',
        state === 'pending' ? null : reviewed,
        state === 'rejected' ? `${SYNTHETIC_MARK}材料不全` : null,
      );
      if (measured) insValue.run(id, t.town_id, t.indicator_id, value, asOf, source, reviewed);
    }
    db.exec('COMMIT');
    done += n;
    bar.tick(done);
  }
  bar.end();
  // The tasks as approvals would have left them: latest approved status/percent, version = 1 + approvals.
  db.exec(`UPDATE tasks SET
      status = COALESCE((SELECT u.status FROM task_updates u WHERE u.town_id = tasks.town_id AND u.task_id = tasks.id AND u.state = 'approved' ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1), status),
      percent = COALESCE((SELECT u.percent FROM task_updates u WHERE u.town_id = tasks.town_id AND u.task_id = tasks.id AND u.state = 'approved' ORDER BY u.reviewed_at DESC, u.id DESC LIMIT 1), percent),
      version = 1 + (SELECT COUNT(*) FROM task_updates u WHERE u.town_id = tasks.town_id AND u.task_id = tasks.id AND u.state = 'approved'),
      updated_at = COALESCE((SELECT MAX(u.reviewed_at) FROM task_updates u WHERE u.town_id = tasks.town_id AND u.task_id = tasks.id AND u.state = 'approved'), updated_at)
    WHERE town_id LIKE 'synthetic-%' AND kind <> 'rectification'`);
  return add;
}
