/**
 * All SQL for evidence files and their attachments (migrations/0020). The bytes are in R2
 * (worker/routes/files.ts puts them there); these rows say which town holds which file, what it
 * is, to what it is attached, with which caption, and whether the public may see it.
 */
import type { AttachmentInput, AttachmentView, FileType, Visibility } from '../domain/files.ts';
import { placeholders, stmt, type Stmt } from './sql.ts';

/** A stored file's metadata. */
export interface FileRow {
  town_id: string;
  sha256: string;
  type: FileType;
  bytes: number;
  width: number | null;
  height: number | null;
}

/** The file `sha256` of `town`, or null. */
export async function readFile(db: D1Database, town: string, sha256: string): Promise<FileRow | null> {
  return db.prepare(`SELECT town_id, sha256, type, bytes, width, height FROM files WHERE town_id = ? AND sha256 = ?`).bind(town, sha256).first<FileRow>();
}

/** These files of `town` that are stored, by sha256. */
export async function readFiles(db: D1Database, town: string, shas: string[]): Promise<Map<string, FileRow>> {
  if (shas.length === 0) return new Map();
  const r = await db
    .prepare(`SELECT town_id, sha256, type, bytes, width, height FROM files WHERE town_id = ? AND sha256 IN (${placeholders(shas.length)})`)
    .bind(town, ...shas)
    .all<FileRow>();
  return new Map(r.results.map((f) => [f.sha256, f]));
}

/** Bytes a town stores. */
export async function townStoredBytes(db: D1Database, town: string): Promise<number> {
  const r = await db.prepare(`SELECT COALESCE(SUM(bytes), 0) AS n FROM files WHERE town_id = ?`).bind(town).first<{ n: number }>();
  return Number(r?.n ?? 0);
}

/** Records a stored file (nothing if the town has it already: the audit row follows only a new one). */
export const insertFileStmt = (f: FileRow, by: string, now: string): Stmt =>
  stmt(
    `INSERT INTO files (town_id, sha256, type, bytes, width, height, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (town_id, sha256) DO NOTHING`,
    f.town_id,
    f.sha256,
    f.type,
    f.bytes,
    f.width,
    f.height,
    by,
    now,
  );

const newAttachmentId = () => `att_${[...crypto.getRandomValues(new Uint8Array(12))].map((x) => x.toString(16).padStart(2, '0')).join('')}`;

/** The attachments an update or inspection is stored with (all internal), and their views. */
export function attachmentStmts(
  town: string,
  owner: { kind: 'update' | 'inspection'; id: string },
  inputs: AttachmentInput[],
  files: Map<string, FileRow>,
  now: string,
): { stmts: Stmt[]; views: AttachmentView[] } {
  const views = inputs.map((a): AttachmentView => {
    const f = files.get(a.file)!;
    return { id: newAttachmentId(), file: a.file, thumb: a.thumb ?? null, type: f.type, bytes: f.bytes, width: f.width, height: f.height, caption: a.caption, visibility: 'internal' };
  });
  const stmts = views.map((v, i) =>
    stmt(
      `INSERT INTO attachments (id, town_id, owner_kind, owner_id, ordinal, sha256, thumb_sha256, caption, visibility, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'internal', ?)`,
      v.id,
      town,
      owner.kind,
      owner.id,
      i,
      v.file,
      v.thumb,
      v.caption,
      now,
    ),
  );
  return { stmts, views };
}

const VIEW_SQL = `SELECT a.owner_id, a.id, a.sha256 AS file, a.thumb_sha256 AS thumb, f.type, f.bytes, f.width, f.height, a.caption, a.visibility
  FROM attachments a JOIN files f ON f.town_id = a.town_id AND f.sha256 = a.sha256`;

/** The attachments of these updates or inspections, by owner id, in order. */
export async function readAttachments(db: D1Database, kind: 'update' | 'inspection', owners: string[]): Promise<Map<string, AttachmentView[]>> {
  const out = new Map<string, AttachmentView[]>();
  if (owners.length === 0) return out;
  // json_each keeps the owner list one parameter, under D1's 100-parameter limit.
  const r = await db
    .prepare(`${VIEW_SQL} WHERE a.owner_kind = ? AND a.owner_id IN (SELECT value FROM json_each(?)) ORDER BY a.owner_id, a.ordinal`)
    .bind(kind, JSON.stringify(owners))
    .all<AttachmentView & { owner_id: string }>();
  for (const { owner_id, ...v } of r.results) out.set(owner_id, [...(out.get(owner_id) ?? []), v]);
  return out;
}

/** An attachment with what its visibility depends on: the town, the update's state, whether its task is a rectification. */
export interface AttachmentOwner extends AttachmentView {
  town_id: string;
  owner_kind: 'update' | 'inspection';
  owner_id: string;
  /** The thumbnail's type (its public URL has the type's extension); null without one. */
  thumb_type: FileType | null;
  /** null for an inspection's attachment */
  update_state: string | null;
  task_id: string | null;
  unit_id: string | null;
  task_kind: string | null;
}

export async function readAttachmentOwner(db: D1Database, id: string): Promise<AttachmentOwner | null> {
  return db
    .prepare(
      `SELECT a.id, a.town_id, a.owner_kind, a.owner_id, a.sha256 AS file, a.thumb_sha256 AS thumb, f.type, f.bytes, f.width, f.height, a.visibility, a.caption,
              tf.type AS thumb_type, u.state AS update_state, u.task_id, u.unit_id, t.kind AS task_kind
         FROM attachments a JOIN files f ON f.town_id = a.town_id AND f.sha256 = a.sha256
         LEFT JOIN files tf ON tf.town_id = a.town_id AND tf.sha256 = a.thumb_sha256
         LEFT JOIN task_updates u ON a.owner_kind = 'update' AND u.id = a.owner_id
         LEFT JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id
        WHERE a.id = ?`,
    )
    .bind(id)
    .first<AttachmentOwner>();
}

/** Sets the visibility of an update's attachments at approval: `publish` public, the others internal. */
export const approvalVisibilityStmts = (update: string, publish: string[]): Stmt[] => [
  stmt(`UPDATE attachments SET visibility = 'internal' WHERE owner_kind = 'update' AND owner_id = ?`, update),
  ...(publish.length
    ? [stmt(`UPDATE attachments SET visibility = 'public' WHERE owner_kind = 'update' AND owner_id = ? AND id IN (${placeholders(publish.length)})`, update, ...publish)]
    : []),
];

/** Makes a rejected update's attachments internal (they are at submission; kept so whatever happened before, none is public). */
export const rejectVisibilityStmt = (update: string): Stmt => stmt(`UPDATE attachments SET visibility = 'internal' WHERE owner_kind = 'update' AND owner_id = ?`, update);

/** Changes one attachment's visibility, only if it differs (the audit row after it is conditional on the change). */
export const setVisibilityStmt = (id: string, v: Visibility): Stmt => stmt(`UPDATE attachments SET visibility = ? WHERE id = ? AND visibility <> ?`, v, id, v);

/**
 * What the public may fetch: the type of file `sha256` of `town` when some attachment of it (as
 * the file or its thumbnail) is public on an approved update of a plan task (rectification items
 * stay internal); null otherwise.
 */
export async function readPublicFile(db: D1Database, town: string, sha256: string): Promise<{ type: FileType; bytes: number } | null> {
  return db
    .prepare(
      `SELECT f.type, f.bytes FROM files f
        WHERE f.town_id = ?1 AND f.sha256 = ?2 AND EXISTS (
          SELECT 1 FROM attachments a
            JOIN task_updates u ON u.id = a.owner_id AND u.state = 'approved'
            JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id AND t.kind <> 'rectification'
           WHERE a.town_id = ?1 AND a.owner_kind = 'update' AND a.visibility = 'public' AND (a.sha256 = ?2 OR a.thumb_sha256 = ?2))`,
    )
    .bind(town, sha256)
    .first<{ type: FileType; bytes: number }>();
}

/** A public attachment as its own page shows it, with its update; null unless public (as readPublicFile judges). */
export interface PublicAttachmentRead {
  id: string;
  caption: string;
  sha256: string;
  type: FileType;
  bytes: number;
  width: number | null;
  height: number | null;
  update_id: string;
  task_id: string;
  unit_id: string;
  approved_at: string;
}

export async function readPublicAttachment(db: D1Database, town: string, id: string): Promise<PublicAttachmentRead | null> {
  return db
    .prepare(
      `SELECT a.id, a.caption, f.sha256, f.type, f.bytes, f.width, f.height, u.id AS update_id, u.task_id, u.unit_id, u.reviewed_at AS approved_at
         FROM attachments a
         JOIN files f ON f.town_id = a.town_id AND f.sha256 = a.sha256
         JOIN task_updates u ON u.id = a.owner_id AND u.state = 'approved'
         JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id AND t.kind <> 'rectification'
        WHERE a.id = ?2 AND a.town_id = ?1 AND a.owner_kind = 'update' AND a.visibility = 'public'`,
    )
    .bind(town, id)
    .first<PublicAttachmentRead>();
}
