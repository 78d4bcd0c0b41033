/**
 * The path `npm start` takes: real wrangler, real local D1 (miniflare's SQLite), the real
 * migrations and the rendered .sql file. Runs against a throwaway --persist-to folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

function load(): void {
  const r = spawnSync(process.execPath, [resolve(root, 'worker/cli/load-content.ts'), '--local', '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`load-content failed:\n${r.stdout}\n${r.stderr}`);
}

const TABLES = ['towns', 'plans', 'milestones', 'units', 'members', 'member_units', 'indicators', 'town_indicators', 'indicator_targets', 'tasks', 'task_units', 'task_indicators', 'jurisdictions', 'jurisdiction_reports', 'jurisdiction_figures', 'audit_log', 'content_loads'];
/** Every table in one wrangler call (one result set per statement). */
function dump(): Record<string, unknown[]> {
  const out = JSON.parse(wrangler(['d1', 'execute', 'DB', '--local', '--json', '--command', TABLES.map((t) => `SELECT * FROM ${t} ORDER BY rowid;`).join(' ')]));
  return Object.fromEntries(TABLES.map((t, i) => [t, out[i].results as unknown[]]));
}

describe('npm start: migrations and the content loader through wrangler', () => {
  it('applies the migrations, loads content/ faithfully, and a second load changes nothing', () => {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);
    // applying migrations a second time is harmless
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);
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
