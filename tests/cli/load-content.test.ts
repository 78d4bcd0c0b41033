/**
 * The content loader on a database wrangler made: real wrangler migrations on a real local D1
 * (miniflare's SQLite), then the loader CLI (in-process, node:sqlite on that file) and the
 * migrate CLI, which finds wrangler's record complete. Runs against a throwaway --persist-to
 * folder. npm start's own path from an empty folder: tests/cli/local-db.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { localDatabaseFile } from '../../worker/cli/d1.ts';
import { readContent } from '../../worker/content/read.ts';

const root = resolve(import.meta.dirname, '../..');
const persist = mkdtempSync(join(tmpdir(), 'dtt-d1-'));
afterAll(() => rmSync(persist, { recursive: true, force: true }));

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };

function wrangler(args: string[]): string {
  const r = spawnSync(resolve(root, 'node_modules/.bin/wrangler'), [...args, '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function cli(script: string): string {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', resolve(root, script), '--local', '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const load = () => cli('worker/cli/load-content.ts');

const TABLES = ['towns', 'plans', 'milestones', 'units', 'members', 'member_units', 'indicators', 'town_indicators', 'indicator_targets', 'tasks', 'task_units', 'task_indicators', 'jurisdictions', 'jurisdiction_reports', 'jurisdiction_figures', 'audit_log', 'content_loads'];
/** Every table, read from the database file. */
function dump(): Record<string, unknown[]> {
  const db = new DatabaseSync(localDatabaseFile(persist), { readOnly: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all().map((r) => ({ ...r }))]));
  } finally {
    db.close();
  }
}

describe('the content loader on a database wrangler migrated', () => {
  it('applies the migrations, loads content/ faithfully, and a second load changes nothing', () => {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);
    // applying migrations a second time (the in-process path, which reads wrangler's record) is harmless
    expect(cli('worker/cli/migrate.ts')).toMatch(/no migrations to apply/);
    load();
    const first = dump();
    const bundle = readContent();
    const town = bundle.towns.find((t) => t.town.id === 'fengmao')!;
    const [plan] = first.plans as { body_markdown: string; doc_number: string }[];
    expect(plan!.doc_number).toBe('冯政发〔2018〕24号');
    // the full Markdown text survives SQL rendering byte for byte (quotes, newlines, punctuation)
    expect(plan!.body_markdown).toBe(town.plan_markdown);
    expect(first.tasks).toHaveLength(town.tasks.length);
    expect(first.members).toHaveLength(21);
    expect(first.jurisdiction_figures).toHaveLength(bundle.jurisdictions.flatMap((j) => j.reports.flatMap((r) => r.figures)).length);
    expect(first.audit_log).toHaveLength(1);

    load();
    expect(dump()).toEqual(first);
  });
});
