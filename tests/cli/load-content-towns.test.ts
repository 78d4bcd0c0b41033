/**
 * The content loader re-reads only the towns whose files changed (issue 23): on a content folder of
 * three towns (冯卯镇 and two synthetic copies), a second load after one town's tasks.yaml changed
 * writes that town's new title (and its search entry) and leaves the other towns' rows as they
 * were; a new town is added alone; a broken town file fails the whole load and changes nothing.
 * The CLIs run as npm runs them, on a throwaway --persist-to folder (node:sqlite on miniflare's file).
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

const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'dtt-towns-'));
const persist = join(tmp, 'state');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const { contentDir } = writeSyntheticContent(join(tmp, 'synthetic'), 2);
cpSync(join(CONTENT_DIR, 'towns/fengmao'), join(contentDir, 'towns/fengmao'), { recursive: true });
const env = { ...process.env, CONTENT_DIR: contentDir, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

const cli = (script: string) =>
  spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(root, script), '--local', '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
function load(): string {
  const r = cli('worker/cli/load-content.ts');
  if (r.status !== 0) throw new Error(`load-content failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function query(sql: string, ...params: string[]): Record<string, unknown>[] {
  const db = new DatabaseSync(localDatabaseFile(persist), { readOnly: true });
  try {
    return db.prepare(sql).all(...params).map((r) => ({ ...r }));
  } finally {
    db.close();
  }
}
const TOWN_TABLES = ['towns', 'plans', 'milestones', 'units', 'members', 'member_units', 'town_indicators', 'indicator_targets', 'tasks', 'task_units', 'task_indicators', 'search_docs'];
/** Every row of one town, table by table. */
const townRows = (town: string) =>
  Object.fromEntries(TOWN_TABLES.map((t) => [t, query(`SELECT * FROM ${t} WHERE ${t === 'towns' ? 'id' : 'town_id'} = ? ORDER BY rowid`, town)]));
const taskFile = (town: string) => join(contentDir, 'towns', town, 'tasks.yaml');

describe('the content loader, town by town', () => {
  it('a second load after one town changed rewrites that town and keeps the others as they were', () => {
    const migrated = cli('worker/cli/migrate.ts');
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(load()).toMatch(/3 town\(s\), 3 read and written/);
    const before = { fengmao: townRows('fengmao'), one: townRows('synthetic-0001'), two: townRows('synthetic-0002') };
    expect(before.two.tasks.length).toBeGreaterThan(10);

    // One task's title changes in one town's tasks.yaml.
    const [task] = readContent(contentDir).towns.find((t) => t.town.id === 'synthetic-0002')!.tasks;
    const text = readFileSync(taskFile('synthetic-0002'), 'utf8');
    expect(text).toContain(`title: "${task!.title}"`);
    writeFileSync(taskFile('synthetic-0002'), text.replace(`title: "${task!.title}"`, `title: "${task!.title}（修订）"`));
    expect(load()).toMatch(/3 town\(s\), 1 read and written/);

    const row = query(`SELECT title, version FROM tasks WHERE town_id = 'synthetic-0002' AND id = ?`, task!.id)[0];
    expect(row).toEqual({ title: `${task!.title}（修订）`, version: 2 });
    // search finds the new title
    const entry = query(`SELECT title FROM search_docs WHERE town_id = 'synthetic-0002' AND kind = 'task' AND ref = ?`, task!.id)[0];
    expect(String(entry?.title)).toContain('（修订）');
    // the other towns' rows are untouched
    expect(townRows('fengmao')).toEqual(before.fengmao);
    expect(townRows('synthetic-0001')).toEqual(before.one);
    // the load is a new snapshot (its hash: next test), audited once
    expect(query(`SELECT hash FROM content_loads ORDER BY rowid`)).toHaveLength(2);
    expect(query(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'content.load'`)[0]!.n).toBe(2);

    // Unchanged: nothing read, nothing new recorded.
    expect(load()).toMatch(/3 town\(s\), 0 read and written/);
    expect(query(`SELECT COUNT(*) AS n FROM content_loads`)[0]!.n).toBe(2);
  });

  it('records the same content hash as a load that reads every town', async () => {
    const [latest] = query(`SELECT hash FROM content_loads ORDER BY rowid DESC LIMIT 1`);
    expect(latest!.hash).toBe(await contentHash(readContent(contentDir)));
  });

  it('adds a new town alone', () => {
    const before = townRows('synthetic-0001');
    cpSync(join(contentDir, 'towns/synthetic-0001'), join(contentDir, 'towns/synthetic-0003'), { recursive: true });
    const townYaml = join(contentDir, 'towns/synthetic-0003/town.yaml');
    writeFileSync(townYaml, readFileSync(townYaml, 'utf8').replace(/^id: synthetic-0001$/m, 'id: synthetic-0003').replace('合成镇0001', '合成镇0003'));
    expect(load()).toMatch(/4 town\(s\), 1 read and written/);
    expect(query(`SELECT name FROM towns WHERE id = 'synthetic-0003'`)).toEqual([{ name: '【合成数据】合成镇0003' }]);
    expect(townRows('synthetic-0003').tasks).toHaveLength(before.tasks.length);
    expect(townRows('synthetic-0001')).toEqual(before);
  });

  it('a town whose file no longer parses fails the load, names the file, and changes nothing', () => {
    const before = { one: townRows('synthetic-0001'), two: townRows('synthetic-0002'), loads: query(`SELECT * FROM content_loads`) };
    // A valid change in one town and a broken file in another: neither is written.
    const text = readFileSync(taskFile('synthetic-0002'), 'utf8');
    writeFileSync(taskFile('synthetic-0002'), text.replace('（修订）', '（再修订）'));
    writeFileSync(taskFile('synthetic-0001'), 'tasks: [unclosed\n');
    const r = cli('worker/cli/load-content.ts');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('towns/synthetic-0001/tasks.yaml');
    expect(townRows('synthetic-0001')).toEqual(before.one);
    expect(townRows('synthetic-0002')).toEqual(before.two);
    expect(query(`SELECT * FROM content_loads`)).toEqual(before.loads);
  });
});
