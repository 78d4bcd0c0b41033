/**
 * Backup and restore through real wrangler and the real CLIs (`npm run export` / `npm run import`,
 * worker/cli/backup.ts) on a local D1 above 10 MiB (tests/cli/big-db.ts), each database in a
 * throwaway --persist-to folder: export → import into an empty database → export gives the same
 * bytes, for the whole database and for one town, by either path (node:sqlite on the local file
 * wrangler made, and `wrangler d1 execute` as --remote uses); import refuses what it must; a
 * restore killed midway (its process, or a connection that let part of a batch through) leaves a
 * database that refuses export and other restores, and the same import finishes it. The database's
 * evidence files travel too: put in the source's local R2 with `wrangler r2 object put --local`
 * (as the Worker's bucket holds them), carried in the document, checked by sha256, and read back
 * from the restored bucket with `wrangler r2 object get --local`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { localDatabaseFile } from '../../worker/cli/d1.ts';
import { matchExpression, queryRuns } from '../../worker/domain/search.ts';
import { bigDb, cleanup, dbBytes, env, migrate, node, ok, run, ROOT, sqliteFile, tmp } from './big-db.ts';

afterAll(cleanup);

/** What a search for `words` finds in a local database (the statement searchAll runs), in a stable order. */
function searchHits(persist: string, words: string): unknown[] {
  const db = new DatabaseSync(sqliteFile(persist), { readOnly: true });
  try {
    return db
      .prepare(`SELECT d.town_id, d.kind, d.ref, d.title, d.body FROM search_grams JOIN search_docs d ON d.id = search_grams.rowid WHERE search_grams MATCH ? ORDER BY d.town_id, d.kind, d.ref`)
      .all(matchExpression(queryRuns(words)));
  } finally {
    db.close();
  }
}

const MiB = 1024 * 1024;
const exportTo = (db: string, file: string, ...more: string[]) => ok(node('worker/cli/backup.ts', ['export', '--local', '--persist-to', db, '--out', file, ...more]));
const importFrom = (db: string, file: string, ...more: string[]) => node('worker/cli/backup.ts', ['import', file, '--local', '--persist-to', db, ...more]);
const same = (a: string, b: string) => createHash('sha256').update(readFileSync(a)).digest('hex') === createHash('sha256').update(readFileSync(b)).digest('hex');
/** The document's lines, parsed (test files are a few tens of MiB). */
const docLines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
/** Writes a document with the hash it should have, as the exporter would. */
function writeDoc(file: string, lines: unknown[]): void {
  const body = lines.map((l) => JSON.stringify(l) + '\n').join('');
  const rows = lines.filter(Array.isArray).length;
  const tables = lines.filter((l) => (l as { table?: string }).table).length;
  const files = lines.filter((l) => (l as { file?: string }).file).length;
  writeFileSync(file, body + JSON.stringify({ end: { tables, rows, files }, sha256: createHash('sha256').update(body).digest('hex') }) + '\n');
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const wranglerBin = resolve(ROOT, 'node_modules/.bin/wrangler');
const BUCKET = 'demo-town-tracker-files';
/** An object of the local bucket in `persist`, read as the Worker's binding sees it (wrangler r2 object get --local). */
function objectIn(persist: string, hash: string, dir: string): Buffer | null {
  const out = join(dir, `got-${hash}`);
  const r = run(wranglerBin, ['r2', 'object', 'get', `${BUCKET}/sha256/${hash}`, '--local', '--persist-to', persist, '--file', out]);
  return r.status === 0 ? readFileSync(out) : null;
}

/**
 * Three evidence files of fengmao — a photo larger than one document line (768 KiB), a small photo
 * and a PDF — as `files` rows and objects in the local bucket, put with wrangler as the Worker's
 * binding would find them.
 */
function addFiles(persist: string, dir: string): { hash: string; bytes: Buffer }[] {
  const made = [
    { type: 'image/jpeg', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(1_900_000)]), w: 1600, h: 1200 },
    { type: 'image/png', bytes: Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), randomBytes(40_000)]), w: 320, h: 240 },
    { type: 'application/pdf', bytes: Buffer.from('%PDF-1.4\n' + '会议纪要 '.repeat(2000)), w: null, h: null },
  ].map((f) => ({ ...f, hash: sha(f.bytes) }));
  for (const f of made) {
    const path = join(dir, f.hash);
    writeFileSync(path, f.bytes);
    ok(run(wranglerBin, ['r2', 'object', 'put', `${BUCKET}/sha256/${f.hash}`, '--local', '--persist-to', persist, '--file', path]));
  }
  const db = new DatabaseSync(sqliteFile(persist));
  try {
    const author = (db.prepare(`SELECT id FROM accounts WHERE username = 'li-weiji'`).get() as { id: string }).id;
    const ins = db.prepare(`INSERT INTO files (town_id, sha256, type, bytes, width, height, uploaded_by, uploaded_at) VALUES ('fengmao', ?, ?, ?, ?, ?, ?, '2026-12-01T08:00:00.000Z')`);
    for (const f of made) ins.run(f.hash, f.type, f.bytes.length, f.w, f.h, author);
  } finally {
    db.close();
  }
  return made.map(({ hash, bytes }) => ({ hash, bytes }));
}

/** A supervisor of 冯卯镇's county (山亭区) and an issued region bulletin of it: a region's rows, no town's. */
function addRegionRows(persist: string): void {
  const db = new DatabaseSync(sqliteFile(persist));
  try {
    const at = '2026-12-02T08:00:00.000Z';
    db.prepare(`INSERT INTO accounts (id, town_id, role, unit_id, username, display_name, status, created_at, created_by, region_id) VALUES ('acc-shanting-sup', NULL, 'region_supervisor', NULL, 'shanting-sup', '山亭区督导', 'pending', ?, 'system:test', 'shanting')`).run(at);
    db.prepare(
      `INSERT INTO region_bulletins (id, region_id, title, remarks, state, visibility, year, seq, number, figures_json, created_by, created_at, issued_by, issued_at, published_at)
       VALUES ('rbul-backup', 'shanting', '山亭区示范镇创建进展通报', '', 'issued', 'public', 2026, 1, '山亭区医养督〔2026〕1号', '{"towns_total":1}', 'acc-shanting-sup', ?, 'acc-shanting-sup', ?, ?)`,
    ).run(at, at, at);
  } finally {
    db.close();
  }
}

describe('npm run export / npm run import on a database above 10 MiB', () => {
  const source = tmp('dtt-backup-src-');
  const files = tmp('dtt-backup-files-');
  const all = join(files, 'all.ndjson');
  const town = join(files, 'fengmao.ndjson');
  bigDb(source);
  const evidence = addFiles(source, files);
  addRegionRows(source);

  it('export → import into an empty database → export is byte-identical, for the whole database and for one town', () => {
    expect(dbBytes(source)).toBeGreaterThan(10 * MiB);
    // The local path opens the very file wrangler created for the DB binding of wrangler.toml.
    expect(localDatabaseFile(source)).toBe(sqliteFile(source));
    exportTo(source, all);
    exportTo(source, town, '--town', 'fengmao');
    expect(statSync(all).size).toBeGreaterThan(10 * MiB);
    const lines = docLines(all);
    expect(lines[0]).toMatchObject({ format: 'demo-town-tracker/backup', format_version: 3, scope: { town: null } });
    // The backup records the migration level it was taken at: the newest file in migrations/.
    expect(lines[0].migrations.at(-1)).toBe(readdirSync(resolve(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).sort().at(-1));
    expect(lines.at(-1).sha256).toMatch(/^[0-9a-f]{64}$/);
    // The evidence files follow the tables, each once, in hash order, with its bytes in base64 lines.
    const sorted = [...evidence].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    expect(lines.filter((l) => l.file)).toEqual(sorted.map((f) => ({ file: f.hash, bytes: f.bytes.length })));
    expect(lines.at(-1).end).toMatchObject({ files: 3, file_bytes: evidence.reduce((a, f) => a + f.bytes.length, 0) });
    const at = lines.findIndex((l) => l.file === evidence[0]!.hash);
    const b64: string[] = [];
    for (let i = at + 1; typeof lines[i] === 'string'; i++) b64.push(lines[i]);
    expect(b64.length).toBe(3); // 1.9 MB in lines of 768 KiB
    expect(Buffer.from(b64.join(''), 'base64').equals(evidence[0]!.bytes)).toBe(true);
    const rowsOf = (t: string) => {
      const at = lines.findIndex((l) => l.table === t);
      const next = lines.findIndex((l, i) => i > at && !Array.isArray(l));
      return lines.slice(at + 1, next);
    };
    expect(rowsOf('task_updates')).toHaveLength(1000);
    // The reporter, and the region's supervisor with the region's bulletin: a whole-database export holds a region's rows.
    expect(rowsOf('accounts')).toHaveLength(2);
    expect(rowsOf('region_bulletins')).toHaveLength(1);
    expect(rowsOf('activation_tokens')).toHaveLength(1);
    expect(rowsOf('tasks').length).toBeGreaterThan(50);
    expect(rowsOf('task_updates')[0]).toContain(`第0次进展："床位"已增加，医生's 巡诊\n✅🏥 ` + '医养结合示范镇建设稳步推进'.repeat(310).slice(0, 3970));

    // The search index is derived data: not in the file (wrangler d1 export would refuse its FTS5 table).
    expect(lines.filter((l) => typeof l.table === 'string' && l.table.startsWith('search_'))).toEqual([]);
    expect(searchHits(source, '签约').length).toBeGreaterThan(5);

    const restored = tmp('dtt-backup-all-');
    migrate(restored);
    expect(ok(importFrom(restored, all))).toMatch(/imported \d+ rows into \d+ tables and 3 files/);
    exportTo(restored, join(files, 'all-again.ndjson'));
    expect(same(join(files, 'all-again.ndjson'), all)).toBe(true);
    // The restored bucket holds the very bytes, where the Worker's binding reads them.
    for (const f of evidence) expect(objectIn(restored, f.hash, files)?.equals(f.bytes), f.hash).toBe(true);
    // The import rebuilt the index from the restored rows: search answers as it did before.
    for (const words of ['签约', '镇', '家庭医生签约服务']) expect(searchHits(restored, words), words).toEqual(searchHits(source, words));

    const oneTown = tmp('dtt-backup-town-');
    migrate(oneTown);
    ok(importFrom(oneTown, town));
    exportTo(oneTown, join(files, 'fengmao-again.ndjson'), '--town', 'fengmao');
    expect(same(join(files, 'fengmao-again.ndjson'), town)).toBe(true);
    expect(docLines(town).filter((l) => l.file)).toHaveLength(3);
    // A town's export is that town's: no region bulletin, no region supervisor; the regions themselves, as reference rows.
    const townLines = docLines(town);
    const townRows = (t: string) => {
      const at = townLines.findIndex((l) => l.table === t);
      return townLines.slice(at + 1, townLines.findIndex((l, i) => i > at && !Array.isArray(l)));
    };
    expect(townRows('region_bulletins')).toEqual([]);
    expect(townRows('accounts').flat()).not.toContain('shanting-sup');
    expect(townRows('regions').length).toBeGreaterThan(0);
    expect(searchHits(oneTown, '签约')).toEqual(searchHits(source, '签约'));

    // A files row whose object is not in the bucket (or not these bytes) stops the export: no backup vouches for what it lacks.
    const ghost = 'f'.repeat(64);
    const db = new DatabaseSync(sqliteFile(oneTown));
    db.prepare(`INSERT INTO files (town_id, sha256, type, bytes, width, height, uploaded_by, uploaded_at) SELECT town_id, ?, type, 10, width, height, uploaded_by, uploaded_at FROM files LIMIT 1`).run(ghost);
    db.close();
    const lacking = node('worker/cli/backup.ts', ['export', '--local', '--persist-to', oneTown, '--out', join(files, 'lacking.ndjson')]);
    expect(lacking.status).toBe(1);
    expect(lacking.out).toContain(`R2 has no object for file ${ghost}`);

    // Restoring into a database that holds anything is refused, and changes nothing.
    const again = importFrom(restored, all);
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/not empty \(rows in accounts, /);
    exportTo(restored, join(files, 'all-after-refusal.ndjson'));
    expect(same(join(files, 'all-after-refusal.ndjson'), all)).toBe(true);
  }, 600_000);

  it('the path --remote takes (wrangler d1 execute, one page or batch per call) writes and restores the same bytes', () => {
    const viaWrangler = join(files, 'all-wrangler.ndjson');
    exportTo(source, viaWrangler, '--through', 'wrangler');
    expect(same(viaWrangler, all)).toBe(true);
    const restored = tmp('dtt-backup-wr-');
    migrate(restored);
    ok(importFrom(restored, all, '--through', 'wrangler'));
    exportTo(restored, join(files, 'all-wrangler-again.ndjson'));
    expect(same(join(files, 'all-wrangler-again.ndjson'), all)).toBe(true);
  }, 600_000);

  it('refuses another format, a newer version, a damaged or truncated file and another migration level, before touching the database', () => {
    const empty = tmp('dtt-backup-empty-');
    migrate(empty);
    const lines = docLines(all);
    const refuse = (name: string, content: string | unknown[], message: RegExp) => {
      const f = join(files, name);
      if (typeof content === 'string') writeFileSync(f, content);
      else writeDoc(f, content);
      const r = importFrom(empty, f);
      expect(r.status, r.out).toBe(1);
      expect(r.out).toMatch(message);
    };
    refuse('other.ndjson', '{"format":"someone-else/backup","format_version":1}\n', /not a demo-town-tracker\/backup document/);
    refuse('newer.ndjson', [{ ...lines[0], format_version: 4 }], /format_version 4 is newer than this tool understands \(3\)/);
    // One byte of a file changed, and the document's own hash redone: the file's sha256 still refuses it.
    const fileAt = lines.findIndex((l) => l.file);
    const b64 = lines[fileAt + 1] as string;
    const flipped = b64.slice(0, 100) + (b64[100] === 'A' ? 'B' : 'A') + b64.slice(101);
    refuse('file-edited.ndjson', [...lines.slice(0, fileAt + 1), flipped, ...lines.slice(fileAt + 2, -1)], new RegExp(`file ${lines[fileAt].file} in the backup does not match its sha256`));
    const text = readFileSync(all, 'utf8');
    refuse('edited.ndjson', text.replace('医生\'s', '医师\'s'), /sha256 does not match/);
    refuse('truncated.ndjson', text.slice(0, Math.floor(text.length / 2)), /ends early/);
    refuse('older-schema.ndjson', [{ ...lines[0], migrations: lines[0].migrations.slice(0, -1) }, ...lines.slice(1, -1)], /migration level differs/);
    // Nothing was written: the same database still takes the real backup.
    ok(importFrom(empty, town));
  }, 600_000);

  it('a restore killed midway leaves the database marked incomplete; the same import resumes and finishes it', async () => {
    const target = tmp('dtt-backup-killed-');
    migrate(target);
    // One row per batch, so the restore is surely still running when its first progress line arrives.
    const child = spawn(process.execPath, [resolve(ROOT, 'worker/cli/backup.ts'), 'import', all, '--local', '--persist-to', target, '--batch-rows', '1'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    await new Promise<void>((done, fail) => {
      child.stderr!.on('data', (d) => {
        log += d;
        if (/import: restored [\d,]+ of/.test(log)) done();
      });
      child.on('exit', (code) => fail(new Error(`import ended (${code}) before it reported progress:\n${log}`)));
    });
    process.kill(-child.pid!, 'SIGKILL'); // the whole process group: node and the workerd it started
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.on('exit', r)));

    const exported = node('worker/cli/backup.ts', ['export', '--local', '--persist-to', target, '--out', join(files, 'half.ndjson')]);
    expect(exported.status).toBe(1);
    expect(exported.out).toMatch(/this database is incomplete: a restore of .*all\.ndjson .* stopped at \d+ of \d+ rows/);
    const other = importFrom(target, town);
    expect(other.status).toBe(1);
    expect(other.out).toMatch(/Finish it with that file \(npm run import -- .*all\.ndjson\)/);

    // A connection lost midway through a batch (remote D1 runs a --file through its import) can leave
    // that batch's rows written but the marker, its last statement, not moved on: move the marker back
    // over the last row restored, which stays in the database.
    const file = new DatabaseSync(sqliteFile(target));
    const back = file.prepare(`UPDATE restore_progress SET table_rows = table_rows - 1, rows_done = rows_done - 1 WHERE table_rows > 0`).run();
    file.close();
    expect(back.changes).toBe(1);

    expect(ok(importFrom(target, all))).toMatch(/finished the restore: imported \d+ rows/);
    exportTo(target, join(files, 'all-resumed.ndjson'));
    expect(same(join(files, 'all-resumed.ndjson'), all)).toBe(true);

    // Killed in the files step (every row in, the first file stored, the marker counting it): the
    // database says so, and the same import stores the rest.
    const sorted = [...evidence].sort((a, b) => (a.hash < b.hash ? -1 : 1));
    for (const f of sorted.slice(1)) ok(run(wranglerBin, ['r2', 'object', 'delete', `${BUCKET}/sha256/${f.hash}`, '--local', '--persist-to', target]));
    const marked = new DatabaseSync(sqliteFile(target));
    marked
      .prepare(`INSERT INTO restore_progress (id, sha256, file, table_name, table_rows, rows_done, rows_total, started_at, updated_at) VALUES (1, ?, ?, '(r2 files)', 1, 5, 5, '2026-12-01T00:00:00Z', '2026-12-01T00:01:00Z')`)
      .run(docLines(all).at(-1).sha256, all);
    marked.close();
    const midFiles = node('worker/cli/backup.ts', ['export', '--local', '--persist-to', target, '--out', join(files, 'mid-files.ndjson')]);
    expect(midFiles.status).toBe(1);
    expect(midFiles.out).toMatch(/had all 5 rows in and had stored 1 of its files in R2/);
    expect(objectIn(target, sorted[1]!.hash, files)).toBeNull();
    expect(ok(importFrom(target, all))).toMatch(/finished the restore: .* and 3 files/);
    for (const f of evidence) expect(objectIn(target, f.hash, files)?.equals(f.bytes), f.hash).toBe(true);
    exportTo(target, join(files, 'all-resumed-files.ndjson'));
    expect(same(join(files, 'all-resumed-files.ndjson'), all)).toBe(true);
  }, 600_000);
});
