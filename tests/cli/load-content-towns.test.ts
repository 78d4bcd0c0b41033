/**
 * The content loader re-reads only the towns whose files changed (issue 23): on a content folder of
 * three towns (冯卯镇 and two synthetic copies), a second load after one town's tasks.yaml changed
 * writes that town's new title (and its search entry) and leaves the other towns' rows as they
 * were, under the same content hash a load of every town records; a new town is added alone; a
 * broken town file fails the whole load and changes nothing; reading in worker threads (as a load of
 * many towns does) writes the same rows as reading inline. The CLIs run as npm runs them, each
 * test on its own content folder and --persist-to folder (node:sqlite on miniflare's file).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticContent } from '../../bench/synthetic.ts';
import { localDatabaseFile } from '../../worker/cli/d1.ts';
import { CONTENT_DIR, readContent } from '../../worker/content/read.ts';
import { contentHash } from '../../worker/db/content.ts';
import { searchGrams } from '../../worker/domain/search.ts';

const root = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TOWN_TABLES = ['towns', 'plans', 'milestones', 'units', 'members', 'member_units', 'town_indicators', 'indicator_targets', 'tasks', 'task_units', 'task_indicators', 'search_docs'];

/** A content folder of 冯卯镇 and two synthetic towns, migrated and loaded into a fresh local D1. */
function loaded(threads?: number) {
  const tmp = mkdtempSync(join(tmpdir(), 'dtt-towns-'));
  dirs.push(tmp);
  const persist = join(tmp, 'state');
  const { contentDir } = writeSyntheticContent(join(tmp, 'synthetic'), 2);
  cpSync(join(CONTENT_DIR, 'towns/fengmao'), join(contentDir, 'towns/fengmao'), { recursive: true });
  const env = { ...process.env, CONTENT_LOAD_THREADS: threads === undefined ? '' : String(threads), CONTENT_DIR: contentDir, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
  const cli = (script: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(root, script), '--local', '--persist-to', persist, ...args], { cwd: root, env, encoding: 'utf8' });
  const load = (): string => {
    const r = cli('worker/cli/load-content.ts');
    if (r.status !== 0) throw new Error(`load-content failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const query = (sql: string, ...params: string[]): Record<string, unknown>[] => {
    const db = new DatabaseSync(localDatabaseFile(persist), { readOnly: true });
    try {
      return db.prepare(sql).all(...params).map((r) => ({ ...r }));
    } finally {
      db.close();
    }
  };
  const migrated = cli('worker/cli/migrate.ts');
  expect(migrated.status, migrated.stderr).toBe(0);
  expect(load()).toMatch(/3 town\(s\), 3 read and written/);
  return {
    contentDir,
    cli,
    load,
    query,
    /** Every row of one town, table by table. */
    townRows: (town: string) => Object.fromEntries(TOWN_TABLES.map((t) => [t, query(`SELECT * FROM ${t} WHERE ${t === 'towns' ? 'id' : 'town_id'} = ? ORDER BY rowid`, town)])),
    taskFile: (town: string) => join(contentDir, 'towns', town, 'tasks.yaml'),
  };
}

describe('the content loader, town by town', () => {
  it('a second load after one town changed rewrites that town and keeps the others as they were', async () => {
    const db = loaded();
    const before = { fengmao: db.townRows('fengmao'), one: db.townRows('synthetic-0001'), two: db.townRows('synthetic-0002') };
    expect(before.two.tasks!.length).toBeGreaterThan(10);
    // a new town's search entries: each with its index terms under the entry's id
    const indexed = db.query(`SELECT d.kind, d.title, g.title AS terms FROM search_docs d JOIN search_grams g ON g.rowid = d.id WHERE d.town_id = 'synthetic-0001' ORDER BY d.id`);
    expect(indexed).toHaveLength(before.one.search_docs!.length);
    for (const e of indexed) expect(e.terms).toBe(searchGrams(String(e.title)));

    // One task's title changes in one town's tasks.yaml.
    const [task] = readContent(db.contentDir).towns.find((t) => t.town.id === 'synthetic-0002')!.tasks;
    const text = readFileSync(db.taskFile('synthetic-0002'), 'utf8');
    expect(text).toContain(`title: "${task!.title}"`);
    writeFileSync(db.taskFile('synthetic-0002'), text.replace(`title: "${task!.title}"`, `title: "${task!.title}（修订）"`));
    expect(db.load()).toMatch(/3 town\(s\), 1 read and written/);

    expect(db.query(`SELECT title, version FROM tasks WHERE town_id = 'synthetic-0002' AND id = ?`, task!.id)).toEqual([{ title: `${task!.title}（修订）`, version: 2 }]);
    // search finds the new title
    const [entry] = db.query(`SELECT title FROM search_docs WHERE town_id = 'synthetic-0002' AND kind = 'task' AND ref = ?`, task!.id);
    expect(String(entry?.title)).toContain('（修订）');
    // the other towns' rows are as they were
    expect(db.townRows('fengmao')).toEqual(before.fengmao);
    expect(db.townRows('synthetic-0001')).toEqual(before.one);
    // a new snapshot, audited once, with the hash a load that reads every town gives
    const loads = db.query(`SELECT hash FROM content_loads ORDER BY rowid`);
    expect(loads).toHaveLength(2);
    expect(loads[1]!.hash).toBe(await contentHash(readContent(db.contentDir)));
    expect(db.query(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'content.load'`)).toEqual([{ n: 2 }]);

    // Unchanged: nothing read, nothing new recorded.
    expect(db.load()).toMatch(/3 town\(s\), 0 read and written/);
    expect(db.query(`SELECT COUNT(*) AS n FROM content_loads`)).toEqual([{ n: 2 }]);
  });

  it('reading the towns in worker threads writes the same rows as reading them in the loader', () => {
    const [inline, threaded] = [loaded(0), loaded(2)];
    /** A town's rows without the time of the load. */
    const rows = (db: ReturnType<typeof loaded>, town: string) =>
      JSON.parse(JSON.stringify(db.townRows(town), (k, v) => (k === 'updated_at' ? undefined : v))) as unknown;
    for (const town of ['fengmao', 'synthetic-0001', 'synthetic-0002']) expect(rows(threaded, town)).toEqual(rows(inline, town));
    expect(threaded.query(`SELECT hash FROM content_loads`)).toEqual(inline.query(`SELECT hash FROM content_loads`));
  });

  it('a full reload finds every row a first load wrote (new towns are written a table at a time) as content/ says', () => {
    const db = loaded();
    const towns = ['fengmao', 'synthetic-0001', 'synthetic-0002'];
    const before = towns.map(db.townRows);
    const r = db.cli('worker/cli/load-content.ts', '--full');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 town\(s\), 3 read and written/);
    // nothing differed: no row was rewritten (updated_at and task versions unchanged)
    expect(towns.map(db.townRows)).toEqual(before);
  });

  it('adds a new town alone', () => {
    const db = loaded();
    const before = db.townRows('synthetic-0001');
    cpSync(join(db.contentDir, 'towns/synthetic-0001'), join(db.contentDir, 'towns/synthetic-0003'), { recursive: true });
    const townYaml = join(db.contentDir, 'towns/synthetic-0003/town.yaml');
    writeFileSync(townYaml, readFileSync(townYaml, 'utf8').replace(/^id: synthetic-0001$/m, 'id: synthetic-0003').replace('合成镇0001', '合成镇0003'));
    expect(db.load()).toMatch(/4 town\(s\), 1 read and written/);
    expect(db.query(`SELECT name FROM towns WHERE id = 'synthetic-0003'`)).toEqual([{ name: '【合成数据】合成镇0003' }]);
    expect(db.townRows('synthetic-0003').tasks).toHaveLength(before.tasks!.length);
    expect(db.townRows('synthetic-0001')).toEqual(before);
  });

  it('a town whose file no longer parses fails the load, names the file, and changes nothing', () => {
    const db = loaded();
    const before = { one: db.townRows('synthetic-0001'), two: db.townRows('synthetic-0002'), loads: db.query(`SELECT * FROM content_loads`) };
    // A valid change in one town and a broken file in another: neither is written.
    const text = readFileSync(db.taskFile('synthetic-0002'), 'utf8');
    writeFileSync(db.taskFile('synthetic-0002'), text.replace('title: "', 'title: "（修订）'));
    writeFileSync(db.taskFile('synthetic-0001'), 'tasks: [unclosed\n');
    const r = db.cli('worker/cli/load-content.ts');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('towns/synthetic-0001/tasks.yaml');
    expect(db.townRows('synthetic-0001')).toEqual(before.one);
    expect(db.townRows('synthetic-0002')).toEqual(before.two);
    expect(db.query(`SELECT * FROM content_loads`)).toEqual(before.loads);
  });
});
