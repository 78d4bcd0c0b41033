/**
 * All SQL of bulletins (通报), town and region alike: a town's (`bulletins`, migration 0006) and a
 * region's (`region_bulletins`, migration 0019) are the same rows but for their owner column and
 * the town bulletins' period. One store description per scope; one function per step of the flow
 * (draft, read, list, issue with the next 〔年〕号 of the owner, publish or withdraw).
 */
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { guardStmt } from './updates.ts';
import { stmt, type Stmt } from './sql.ts';

/** The columns every bulletin has, whatever its scope. */
export interface StoredBulletin {
  id: string;
  title: string;
  remarks: string;
  state: 'draft' | 'issued';
  visibility: 'internal' | 'public';
  year: number | null;
  seq: number | null;
  number: string | null;
  figures_json: string | null;
  created_by: string;
  created_at: string;
  issued_by: string | null;
  issued_at: string | null;
  published_at: string | null;
}

/** A town bulletin as stored: its town and its period. */
export interface BulletinRow extends StoredBulletin {
  town_id: string;
  period_from: string;
  period_to: string;
}

/** A region bulletin as stored: its region (its figures are the region's public read model). */
export interface RegionBulletinRow extends StoredBulletin {
  region_id: string;
}

/** Where a scope's bulletins live and what their issue's audit row records. Code constants only: never from input. */
export interface BulletinStore {
  table: 'bulletins' | 'region_bulletins';
  owner: 'town_id' | 'region_id';
  /** The table the owner is a row of (its name is the default title's). */
  ownerTable: 'towns' | 'regions';
  /** Columns a draft of this scope has besides the shared ones. */
  extra: readonly string[];
  /** The audit entity (`bulletin.issue`, `region_bulletin.issue`). */
  entity: 'bulletin' | 'region_bulletin';
  /** The issue audit row's town (an SQL expression over the bulletin's row) and its detail. */
  auditTown: string;
  auditDetail: string;
}

/** Town bulletins: numbered per town and year (冯卯医养督〔2019〕1号). */
export const TOWN_BULLETINS: BulletinStore = {
  table: 'bulletins',
  owner: 'town_id',
  ownerTable: 'towns',
  extra: ['period_from', 'period_to'],
  entity: 'bulletin',
  auditTown: 'town_id',
  auditDetail: `json_object('number', number, 'year', year, 'seq', seq, 'period_from', period_from, 'period_to', period_to)`,
};

/** Region bulletins: numbered per region and year (山亭区医养督〔2026〕1号); audited with no town. */
export const REGION_BULLETINS: BulletinStore = {
  table: 'region_bulletins',
  owner: 'region_id',
  ownerTable: 'regions',
  extra: [],
  entity: 'region_bulletin',
  auditTown: 'NULL',
  auditDetail: `json_object('region', region_id, 'number', number, 'year', year, 'seq', seq)`,
};

const SHARED = ['id', 'title', 'remarks', 'state', 'visibility', 'year', 'seq', 'number', 'figures_json', 'created_by', 'created_at', 'issued_by', 'issued_at', 'published_at'];
const columns = (s: BulletinStore, figures = true) => [s.owner, ...s.extra, ...SHARED.filter((c) => figures || c !== 'figures_json')].join(', ');

/** A new draft: internal, unnumbered. `extra` gives the scope's own columns' values, in `store.extra`'s order. */
export const draftBulletinStmt = (s: BulletinStore, b: { id: string; owner: string; title: string; remarks: string; extra: string[]; created_by: string; created_at: string }): Stmt =>
  stmt(
    `INSERT INTO ${s.table} (id, ${s.owner}, title, ${s.extra.map((c) => `${c}, `).join('')}remarks, state, visibility, created_by, created_at)
     VALUES (?, ?, ?, ${s.extra.map(() => '?, ').join('')}?, 'draft', 'internal', ?, ?)`,
    b.id,
    b.owner,
    b.title,
    ...b.extra,
    b.remarks,
    b.created_by,
    b.created_at,
  );

/** The name of the town or region that would own a bulletin; null when there is none. */
export async function readBulletinOwner(db: D1Database, s: BulletinStore, owner: string): Promise<string | null> {
  return (await db.prepare(`SELECT name FROM ${s.ownerTable} WHERE id = ?`).bind(owner).first<{ name: string }>())?.name ?? null;
}

/** One bulletin of the scope, or null. */
export async function readBulletin<R extends StoredBulletin>(db: D1Database, s: BulletinStore, id: string): Promise<R | null> {
  return db.prepare(`SELECT ${columns(s)} FROM ${s.table} WHERE id = ?`).bind(id).first<R>();
}

/** An owner's bulletins without figures, newest first; `publishedOnly` for the public. */
export async function listBulletins<R extends StoredBulletin>(db: D1Database, s: BulletinStore, owner: string, publishedOnly: boolean, limit: number): Promise<Omit<R, 'figures_json'>[]> {
  const where = publishedOnly ? `${s.owner} = ? AND state = 'issued' AND visibility = 'public'` : `${s.owner} = ?`;
  return (
    await db
      .prepare(`SELECT ${columns(s, false)} FROM ${s.table} WHERE ${where} ORDER BY COALESCE(issued_at, created_at) DESC, id LIMIT ?`)
      .bind(owner, limit)
      .all<Omit<R, 'figures_json'>>()
  ).results;
}

/**
 * Issuing: the next number of the owner and year is taken inside the one UPDATE statement that
 * issues the bulletin (SQLite runs a statement atomically, and UNIQUE (owner, year, seq) backs it),
 * the figures are frozen, and the audit row reads the number back in the same batch. Guarded: the
 * batch aborts unless the bulletin is still a draft.
 */
export function issueStmts(s: BulletinStore, b: { id: string; owner: string; prefix: string; year: number; figures: unknown; actor: string; now: string }): Stmt[] {
  // D1 binds JS numbers as REAL: cast, or the number would read 〔2019.0〕
  const next = `(SELECT COALESCE(MAX(seq), 0) + 1 FROM ${s.table} WHERE ${s.owner} = ?2 AND year = CAST(?3 AS INTEGER))`;
  return [
    guardStmt(`${s.entity}_state`, 'draft', `SELECT state FROM ${s.table} WHERE id = ?`, b.id),
    stmt(
      `UPDATE ${s.table} SET state = 'issued', year = CAST(?3 AS INTEGER), seq = ${next}, number = ?4 || '〔' || CAST(?3 AS INTEGER) || '〕' || ${next} || '号',
              figures_json = ?5, issued_by = ?6, issued_at = ?7
        WHERE id = ?1 AND state = 'draft'`,
      b.id,
      b.owner,
      b.year,
      b.prefix,
      JSON.stringify(b.figures),
      b.actor,
      b.now,
    ),
    stmt(
      `INSERT INTO audit_log (at, actor, action, town_id, entity, entity_id, detail_json)
       SELECT ?, ?, '${s.entity}.issue', ${s.auditTown}, '${s.entity}', id, ${s.auditDetail}
         FROM ${s.table} WHERE id = ? AND issued_at = ?`,
      b.now,
      b.actor,
      b.id,
      b.now,
    ),
  ];
}

/** Publication of an issued bulletin (public) or withdrawal to internal. */
export const publishStmt = (s: BulletinStore, id: string, visibility: 'public' | 'internal', now: string): Stmt =>
  stmt(`UPDATE ${s.table} SET visibility = ?2, published_at = CASE WHEN ?2 = 'public' THEN ?3 ELSE NULL END WHERE id = ?1 AND state = 'issued'`, id, visibility, now);
