/**
 * Evidence files (docs/evidence.md): upload (the bytes as the body; type by the bytes, metadata
 * removed, stored once per town by content hash), read for a session that reaches the town, and
 * the office's choice of 公开 / 仅内部 for an approved update's attachment. The public URL of a
 * public file is served by `servePublicFile` (worker/index.ts), outside /api.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv, Env } from '../env.ts';
import { ApiError, ErrorBody, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { denied, requireCaller } from '../auth/middleware.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { townExists } from '../db/plan-drafts.ts';
import { insertFileStmt, readAttachmentOwner, readFile, readPublicFile, setVisibilityStmt, townStoredBytes, type FileRow } from '../db/files.ts';
import {
  AttachmentView,
  EXTENSION,
  FILE_LIMITS,
  FileRefusal,
  FileType,
  TYPE_OF_EXTENSION,
  UPLOAD_MAX_BYTES,
  Visibility,
  checkFile,
  objectKey,
  publicFileUrl,
  sha256Hex,
} from '../domain/files.ts';
import { pageCacheKey, PAGE_TTL } from '../public-cache.ts';
import { withHsts } from '../transport.ts';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const err = (description: string) => json(ErrorBody, description);
const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/).max(64);
const TownParam = z.object({ town: Slug.openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }) });
const FileParam = TownParam.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/).openapi({ param: { name: 'sha256', in: 'path' } }) });
const AttachmentParam = z.object({ attachment: z.string().min(1).max(64).openapi({ param: { name: 'attachment', in: 'path' } }) });

/** A stored file as the upload answers it. */
export const StoredFile = z
  .object({
    file: z.string().openapi({ description: 'SHA-256 of the stored bytes (image metadata removed): the id to attach' }),
    type: FileType,
    bytes: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
  })
  .openapi('StoredFile');

const binary = { schema: z.string().openapi({ format: 'binary' }) };
const UPLOADERS = ['reporter', 'office', 'supervisor', 'admin'] as const;
const READERS = ['reporter', 'office', 'supervisor', 'region_supervisor', 'admin'] as const;

const uploadRoute = contract({ roles: [...UPLOADERS], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/files',
  summary:
    "Upload an evidence file (the bytes as the body: JPEG, PNG, WebP or PDF, decided by the bytes). Image metadata (EXIF with GPS, XMP, text) is removed; the same bytes are stored once (200 when the town already has them). Then attach it by its `file` id to an update or inspection (reporter, office, supervisor, admin)",
  request: {
    params: TownParam,
    body: { content: { 'image/jpeg': binary, 'image/png': binary, 'image/webp': binary, 'application/pdf': binary, 'application/octet-stream': binary }, required: true },
  },
  responses: {
    200: json(StoredFile, 'The town already had these bytes'),
    201: json(StoredFile, 'Stored'),
    404: err('No such town'),
    413: err(`Too large: an image over ${FILE_LIMITS.imageBytes} bytes or ${FILE_LIMITS.imageSide} px a side, a PDF over ${FILE_LIMITS.pdfBytes} bytes (\`file_too_large\`, \`image_too_large\`), or the town's storage full (\`town_storage_full\`, ${FILE_LIMITS.townBytes} bytes)`),
    415: err('Not a JPEG, PNG, WebP or PDF by its bytes, HEIC, or an image that cannot be read (`unsupported_type`)'),
    422: err('Empty body (`file_empty`)'),
  },
});

const readRoute = contract({ roles: [...READERS], town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/files/{sha256}',
  summary: "A file of the town, public or internal, for a session that reaches the town (its accounts, its region's supervisors, admins). Fixed Content-Type, nosniff; PDFs as attachments",
  request: { params: FileParam },
  responses: {
    200: { description: 'The bytes', content: { 'image/jpeg': binary, 'image/png': binary, 'image/webp': binary, 'application/pdf': binary } },
    404: err('No such file in this town'),
  },
});

const visibilityRoute = contract({ roles: ['office', 'admin'] }, {
  method: 'post',
  path: '/attachments/{attachment}/visibility',
  summary: "Publish (public) or withdraw (internal) an approved update's attachment; the file's public URL and the town's pages are purged (office of the town, admin)",
  request: { params: AttachmentParam, body: { content: { 'application/json': { schema: z.strictObject({ visibility: Visibility }) } }, required: true } },
  responses: {
    200: json(AttachmentView.extend({ url: z.string().nullable() }), 'The attachment as it is now; `url` is its public address while public'),
    404: err('No such attachment'),
    409: err('The update is not approved (`not_approved`): only an approved update’s files can be public'),
    422: err('A rectification item’s or an inspection’s file cannot be public (`internal_only`)'),
  },
});

/** The answer for a stored file. */
const stored = (f: FileRow) => ({ file: f.sha256, type: f.type, bytes: f.bytes, width: f.width, height: f.height });

/** Headers every served file carries: the stored type, never sniffed, never a document that runs anything. */
function fileHeaders(type: FileType, sha256: string): Headers {
  const h = new Headers({
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Content-Disposition': `${type === 'application/pdf' ? 'attachment' : 'inline'}; filename="evidence-${sha256.slice(0, 12)}.${EXTENSION[type]}"`,
    ETag: `"${sha256}"`,
  });
  return h;
}

/** Deletes the cached copies of a file's public URLs (and of the attachment's own page). */
export async function purgeFileUrls(origin: string, town: string, files: { sha256: string; type: FileType }[], pages: string[] = []): Promise<void> {
  const o = new URL(origin).origin;
  await Promise.all([...files.map((f) => publicFileUrl(town, f.sha256, f.type)), ...pages].map((p) => caches.default.delete(pageCacheKey(`${o}${p}`))));
}

/** Mounted at /api/v1. */
export const files = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(uploadRoute, async (c) => {
    const caller = await requireCaller(c, ...UPLOADERS);
    const { town } = c.req.valid('param');
    if (!(await townExists(c.env.DB, town))) throw notFound('Town', '乡镇', town);
    const tooLarge = () =>
      new ApiError(413, 'file_too_large', `文件不能超过 ${UPLOAD_MAX_BYTES / 1024 / 1024} MB（照片 ${FILE_LIMITS.imageBytes / 1024 / 1024} MB）。`, `A file must be at most ${UPLOAD_MAX_BYTES} bytes (a photo ${FILE_LIMITS.imageBytes}).`, [
        { path: '(body)', message: '文件太大', message_en: 'too large' },
      ]);
    if (Number(c.req.header('content-length') ?? 0) > UPLOAD_MAX_BYTES) throw tooLarge();
    const raw = new Uint8Array(await c.req.arrayBuffer());
    if (raw.byteLength > UPLOAD_MAX_BYTES) throw tooLarge();
    let checked;
    try {
      checked = checkFile(raw);
    } catch (e) {
      if (e instanceof FileRefusal) throw new ApiError(e.status, e.code, e.zh, e.en, [{ path: '(body)', message: e.zh, message_en: e.en }]);
      throw e;
    }
    const sha256 = await sha256Hex(checked.bytes);
    const row: FileRow = { town_id: town, sha256, type: checked.type, bytes: checked.bytes.byteLength, width: checked.width, height: checked.height };
    const key = objectKey(sha256);
    const known = await readFile(c.env.DB, town, sha256);
    if (known) {
      // Restored from a backup without its files, or lost: store the bytes again.
      if (!(await c.env.FILES.head(key))) await c.env.FILES.put(key, checked.bytes, { httpMetadata: { contentType: known.type }, sha256 });
      return c.json(stored(known), 200) as never;
    }
    if ((await townStoredBytes(c.env.DB, town)) + row.bytes > FILE_LIMITS.townBytes) {
      throw new ApiError(413, 'town_storage_full', `本镇的佐证材料已达存储上限（${FILE_LIMITS.townBytes / 1024 / 1024 / 1024} GB），请联系管理员。`, `The town's files reached the storage limit (${FILE_LIMITS.townBytes} bytes); contact the administrator.`);
    }
    // The object first: a row never names bytes that are not stored. Same key, same bytes: a
    // concurrent upload of the same file writes the same object.
    await c.env.FILES.put(key, checked.bytes, { httpMetadata: { contentType: row.type }, sha256 });
    const now = new Date().toISOString();
    const [ins] = await runBatch(c.env.DB, [
      insertFileStmt(row, caller.id, now),
      auditStmt(
        { at: now, actor: caller.id, action: 'file.upload', town_id: town, unit_id: caller.unit_id ?? null, entity: 'file', entity_id: sha256, detail: { type: row.type, bytes: row.bytes, width: row.width, height: row.height } },
        { onlyIfChanged: true },
      ),
    ]);
    return c.json(stored(row), (ins?.meta.changes ?? 1) > 0 ? 201 : 200) as never;
  })
  .openapi(readRoute, async (c) => {
    await requireCaller(c, ...READERS);
    const { town, sha256 } = c.req.valid('param');
    const f = await readFile(c.env.DB, town, sha256);
    const obj = f ? await c.env.FILES.get(objectKey(sha256)) : null;
    if (!f || !obj) throw notFound('File', '文件', sha256);
    const headers = fileHeaders(f.type, sha256);
    headers.set('Cache-Control', 'private, max-age=86400');
    return new Response(obj.body, { status: 200, headers }) as never;
  })
  .openapi(visibilityRoute, async (c) => {
    const caller = await requireCaller(c, 'office', 'admin');
    const { attachment } = c.req.valid('param');
    const a = await readAttachmentOwner(c.env.DB, attachment);
    if (!a) throw notFound('Attachment', '附件', attachment);
    if (caller.role !== 'admin' && caller.town_id !== a.town_id) await denied(c, `attachment ${attachment} belongs to another town`, { town_id: a.town_id, entity: 'attachment', entity_id: attachment });
    const { visibility } = c.req.valid('json');
    if (visibility === 'public' && (a.owner_kind !== 'update' || a.task_kind === 'rectification')) {
      throw new ApiError(422, 'internal_only', '督导检查和整改事项的佐证材料只在内部查看，不能公开。', 'Files of inspections and rectification items stay internal.', [
        { path: 'visibility', message: '只能为 internal（仅内部）', message_en: 'must be internal' },
      ]);
    }
    if (a.owner_kind === 'update' && a.update_state !== 'approved' && visibility === 'public') {
      throw new ApiError(409, 'not_approved', '只有已通过审核的进展报告的佐证材料才能公开。', 'Only an approved update’s files can be made public.');
    }
    const now = new Date().toISOString();
    await runBatch(c.env.DB, [
      setVisibilityStmt(a.id, visibility),
      auditStmt(
        { at: now, actor: caller.id, action: 'attachment.visibility', town_id: a.town_id, unit_id: a.unit_id, task_id: a.task_id, entity: 'attachment', entity_id: a.id, detail: { before: a.visibility, after: visibility, file: a.file } },
        { onlyIfChanged: true },
      ),
    ]);
    await purgeFileUrls(c.req.url, a.town_id, [{ sha256: a.file, type: a.type }, ...(a.thumb && a.thumb_type ? [{ sha256: a.thumb, type: a.thumb_type }] : [])], [`/towns/${a.town_id}/evidence/${a.id}/`]);
    const view: AttachmentView & { url: string | null } = {
      id: a.id,
      file: a.file,
      thumb: a.thumb,
      type: a.type,
      bytes: a.bytes,
      width: a.width,
      height: a.height,
      caption: a.caption,
      visibility,
      url: visibility === 'public' ? publicFileUrl(a.town_id, a.file, a.type) : null,
    };
    return c.json(view, 200);
  });

/** `/towns/<town>/files/<sha256>.<ext>`: the public address of a file. */
export const PUBLIC_FILE_PATH = /^\/towns\/([a-z0-9]+(?:-[a-z0-9]+)*)\/files\/([0-9a-f]{64})\.(jpg|png|webp|pdf)$/;

/**
 * Serves a public file: while some attachment of it is public on an approved update of the town
 * (worker/db/files.ts readPublicFile); anything else at such an address is 404, never 403, so
 * nothing says an internal file exists. Cached like the pages (PAGE_TTL, purged when its
 * visibility changes).
 */
export async function servePublicFile(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const m = PUBLIC_FILE_PATH.exec(url.pathname)!;
  const [, town, sha256, ext] = m as unknown as [string, string, string, string];
  const notFoundPage = () =>
    new Response('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>没有这个文件</title><p>没有这个文件，或它未公开。</p><p lang="en">No such file, or it is not public.</p></html>', {
      status: 404,
      headers: { 'content-type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'" },
    });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
  const key = pageCacheKey(request.url);
  let res = await caches.default.match(key);
  if (!res) {
    const f = await readPublicFile(env.DB, town, sha256);
    if (!f || TYPE_OF_EXTENSION[ext] !== f.type) return withHsts(request.url, notFoundPage());
    const obj = await env.FILES.get(objectKey(sha256));
    if (!obj) return withHsts(request.url, notFoundPage());
    const headers = fileHeaders(f.type, sha256);
    headers.set('Cache-Control', `public, max-age=${PAGE_TTL}`);
    headers.set('Content-Length', String(f.bytes));
    const body = await obj.arrayBuffer();
    res = new Response(body, { status: 200, headers });
    ctx.waitUntil(caches.default.put(key, res.clone()));
  }
  const match = request.headers.get('if-none-match');
  if (match && match.split(',').some((x) => x.trim().replace(/^W\//, '') === `"${sha256}"`)) {
    return withHsts(request.url, new Response(null, { status: 304, headers: { ETag: `"${sha256}"`, 'Cache-Control': `public, max-age=${PAGE_TTL}` } }));
  }
  return withHsts(request.url, request.method === 'HEAD' ? new Response(null, res) : new Response(res.body, res));
}
