/**
 * Task updates and their review: reporters submit, the office approves or rejects, everyone
 * permitted can read the history and the audit log; the public reads approved progress.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError, ErrorBody, notFound } from '../errors.ts';
import { emptyJsonIsEmptyObject, validationHook } from '../validation.ts';
import { jsonEtag, revalidate } from './revalidate.ts';
import { denied, reachOf, requireCaller, townCaller } from '../auth/middleware.ts';
import type { Caller } from '../auth/context.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import type { Stmt } from '../db/sql.ts';
import {
  approveStmts,
  clearGuards,
  descendantsGuardStmt,
  idempotencyStmt,
  listUpdates,
  listUpdatesByAuthor,
  readAudit,
  readHistory,
  readIdempotency,
  readMyTasks,
  readTaskForUpdate,
  readUpdate,
  rejectStmts,
  submitStmts,
  type TaskForUpdate,
} from '../db/updates.ts';
import { ApproveInput, RejectInput, TaskRef, UpdateInput, UpdateState, UpdateView, etag, evidenceRefusal, parseIfMatch, parseTaskRef } from '../domain/update.ts';
import { approvalVisibilityStmts, attachmentStmts, readFiles, rejectVisibilityStmt, type FileRow } from '../db/files.ts';
import type { AttachmentInput } from '../domain/files.ts';
import { parentAllowance, parentReportRefusal, type Refusal } from '../domain/parent-rule.ts';
import { readTown } from '../db/public.ts';
import { TownProgress, townProgress } from '../domain/public-model.ts';
import { cstDate } from '../domain/supervision.ts';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const err = (description: string) => json(ErrorBody, description);
const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
const TownParam = z.object({ town: Slug.openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }) });
const TaskParam = z.object({ task: TaskRef.openapi({ param: { name: 'task', in: 'path' }, example: 'fengmao:kt1-health-assessment' }) });
const UpdateParam = z.object({ update: z.string().min(1).max(64).openapi({ param: { name: 'update', in: 'path' } }) });
const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
  'if-match': z.string().max(40).optional().openapi({ description: 'The task ETag ("3") the client saw' }),
});
const Limit = z.coerce.number().int().min(1).max(500).default(100);

const sha256 = async (s: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)))].map((b) => b.toString(16).padStart(2, '0')).join('');

const newId = () => {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return `upd_${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
};

/**
 * Runs a write at most once per Idempotency-Key: a retry with the same body gets the first
 * answer; the same key with another body is a 422. `write` returns the statements of the write
 * (audit included) and the answer; the key record joins the same batch.
 */
export async function once(
  c: Context<AppEnv>,
  caller: Caller,
  body: unknown,
  write: () => Promise<{ stmts: Stmt[]; status: 200 | 201; answer: unknown; onConflict: () => Promise<ApiError> }>,
): Promise<never> {
  // A replay returns stored JSON, so the typed-response check cannot see it: erase to never.
  const key = c.req.header('idempotency-key')!;
  const hash = await sha256(`${c.req.method} ${c.req.path}\n${JSON.stringify(body ?? null)}`);
  const replay = async (): Promise<Response | null> => {
    const prior = await readIdempotency(c.env.DB, caller.id, key);
    if (!prior) return null;
    if (prior.request_hash !== hash) {
      throw new ApiError(
        422,
        'idempotency_key_reused',
        '这个 Idempotency-Key 已用于另一份内容不同的请求，请换一个新的键。',
        'This Idempotency-Key was used for a different request body; use a new key.',
        [{ path: 'Idempotency-Key', message: '键已被使用', message_en: 'key already used' }],
      );
    }
    c.header('Idempotent-Replayed', 'true');
    return c.json(JSON.parse(prior.body), prior.status as 200 | 201);
  };
  const earlier = await replay();
  if (earlier) return earlier as never;
  const w = await write();
  const now = new Date().toISOString();
  try {
    await runBatch(c.env.DB, [...w.stmts, idempotencyStmt(caller.id, key, hash, w.status, w.answer, now), clearGuards()]);
  } catch (e) {
    const msg = String((e as Error).message);
    // A concurrent request with the same key may have won the race (its batch made ours fail on the
    // key or on a guard it changed): then its answer is ours, not a conflict.
    if (/constraint failed/.test(msg)) {
      const again = await replay();
      if (again) return again as never;
    }
    if (/CHECK constraint failed/.test(msg)) throw await w.onConflict();
    throw e;
  }
  return c.json(w.answer as never, w.status) as never;
}

/** Resolves `<town>:<task>` for a caller, enforcing town and unit scope on the object. */
async function taskFor(c: Context<AppEnv>, caller: Caller, ref: string, mode: 'report' | 'read') {
  const { town, task } = parseTaskRef(ref);
  if (!(await reachOf(c, caller, town))) throw await denied(c, `task ${ref} belongs to another town`);
  const t = await readTaskForUpdate(c.env.DB, town, task);
  if (!t) throw notFound('Task', '任务', ref);
  if (caller.role === 'reporter' && (!caller.unit_id || !t.units.includes(caller.unit_id))) {
    throw await denied(c, `task ${ref} is not a task of unit ${caller.unit_id}`);
  }
  if (mode === 'report' && caller.role !== 'reporter') throw await denied(c, 'only reporters submit updates');
  return t;
}

/** A report on a parent task that its children do not support (worker/domain/parent-rule.ts). */
const parentRefusal = (t: TaskForUpdate, report: { status: UpdateView['status']; percent: number }) => {
  const r: Refusal | null = parentReportRefusal(parentAllowance(t.id, t.descendants), report);
  return r ? new ApiError(422, r.code, r.message, r.message_en, r.fields) : null;
};

const preconditionRequired = () =>
  new ApiError(428, 'if_match_required', '请带上任务的版本号（If-Match），以免覆盖别人的修改。', 'Send the task version in If-Match so no change is lost.', [
    { path: 'If-Match', message: '缺少版本号', message_en: 'missing' },
  ]);
const stale = (current: number) =>
  new ApiError(412, 'version_mismatch', `任务已被其他人更新（当前版本 ${current}），请刷新后再提交。`, `The task changed since you loaded it (now version ${current}); reload and resubmit.`, [
    { path: 'If-Match', message: `当前版本为 ${current}`, message_en: `current version is ${current}` },
  ]);

// ---------------------------------------------------------------- contracts

const submitRoute = contract({ roles: ['reporter'], town: 'task' }, {
  method: 'post',
  path: '/tasks/{task}/updates',
  summary: 'Submit an update on a task of your unit (pending until reviewed)',
  request: { params: TaskParam, headers: IdemHeaders, body: { content: { 'application/json': { schema: UpdateInput } }, required: true } },
  responses: {
    201: json(UpdateView, 'Stored as pending'),
    400: err('Invalid body or headers'),
    401: err('Not signed in'),
    403: err('Not your unit or town'),
    404: err('No such task'),
    412: err('Stale task version'),
    422: err(
      'Idempotency-Key reused with another body, an indicator this task does not deliver, or a parent task reported ahead of its sub-tasks: `children_unfinished` (status 已完成 while a sub-task is not) or `percent_above_children` (percent above their weighted roll-up)',
    ),
    428: err('If-Match missing'),
  },
});

const reviewParams = { params: UpdateParam, headers: IdemHeaders };
const approveRoute = contract({ roles: ['office'] }, {
  method: 'post',
  path: '/updates/{update}/approve',
  summary: 'Approve a pending update: applies it to the task and its indicators. The optional body names the attachments to publish (公开); the others stay internal (仅内部)',
  middleware: [emptyJsonIsEmptyObject],
  request: { ...reviewParams, body: { content: { 'application/json': { schema: ApproveInput } }, required: false } },
  responses: {
    200: json(UpdateView, 'Approved'),
    401: err('Not signed in'),
    403: err('Not the office of this town'),
    404: err('No such update'),
    409: err('Already reviewed'),
    412: err('Task changed since the reviewer loaded it'),
    422: err(
      'Idempotency-Key reused, the update reports a parent task ahead of its sub-tasks as they stand now (`children_unfinished`, `percent_above_children`), an attachment to publish that is not of this update (`attachment_not_of_update`), or a rectification item’s file to publish (`internal_only`)',
    ),
    428: err('If-Match missing'),
  },
});
const rejectRoute = contract({ roles: ['office'] }, {
  method: 'post',
  path: '/updates/{update}/reject',
  summary: 'Reject a pending update with a reason; it goes back to the reporter',
  request: { ...reviewParams, body: { content: { 'application/json': { schema: RejectInput } }, required: true } },
  responses: {
    200: json(UpdateView, 'Rejected'),
    400: err('Reason missing'),
    401: err('Not signed in'),
    403: err('Not the office of this town'),
    404: err('No such update'),
    409: err('Already reviewed'),
    422: err('Idempotency-Key reused'),
  },
});
const queueRoute = contract({ roles: ['office', 'supervisor', 'region_supervisor', 'admin'], town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/updates',
  summary: "The town's updates (review queue with status=pending); office and supervisors (the town's and its region's)",
  request: {
    params: TownParam,
    query: z.object({ status: UpdateState.optional(), task: Slug.optional(), unit: Slug.optional(), limit: Limit }),
  },
  responses: { 200: json(z.object({ updates: z.array(UpdateView) }), 'Updates'), 401: err('Not signed in'), 403: err('Not permitted') },
});
/**
 * GET /me/tasks's answer for an account (a reporter: its unit's tasks; office and supervisors: the
 * town's) and its ETag. A sign-in that asks for it gets the same answer (auth.ts, `include`).
 */
export async function myTasksAnswer(db: D1Database, who: Pick<Caller, 'town_id' | 'role' | 'unit_id'>): Promise<{ body: { tasks: Record<string, unknown>[] }; etag: string }> {
  const tasks = await readMyTasks(db, who.town_id!, who.role === 'reporter' ? who.unit_id : null);
  const body = { tasks: tasks.map((t) => ({ ...t, ref: `${who.town_id}:${String(t.id)}` })) };
  return { body, etag: await jsonEtag(body) };
}

const myUpdatesRoute = contract({ roles: [] }, {
  method: 'get',
  path: '/me/updates',
  summary: 'Your own submissions with their review state and reasons (ETag; If-None-Match → 304)',
  middleware: [revalidate('private')],
  request: { query: z.object({ limit: Limit }) },
  responses: { 200: json(z.object({ updates: z.array(UpdateView) }), 'Updates'), 401: err('Not signed in') },
});
const myTasksRoute = contract({ roles: ['reporter', 'office', 'supervisor'] }, {
  method: 'get',
  path: '/me/tasks',
  summary: "Your unit's tasks (all of the town's for office and supervisors) with due milestone, status and last update (ETag; If-None-Match → 304)",
  middleware: [revalidate('private')],
  responses: { 200: json(z.object({ tasks: z.array(z.record(z.string(), z.unknown())) }), 'Tasks'), 401: err('Not signed in'), 403: err('Admins have no town') },
});
const historyRoute = contract({ roles: ['reporter', 'office', 'supervisor', 'region_supervisor', 'admin'], town: 'task' }, {
  method: 'get',
  path: '/tasks/{task}/history',
  summary: "A task's full history: every update and review, every change with before and after",
  request: { params: TaskParam },
  responses: {
    200: json(z.object({ task: z.string(), version: z.number(), updates: z.array(UpdateView), changes: z.array(z.record(z.string(), z.unknown())) }), 'History'),
    401: err('Not signed in'),
    403: err('Not permitted'),
    404: err('No such task'),
  },
});
const auditRoute = contract({ roles: ['office', 'supervisor', 'region_supervisor', 'admin'], town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/audit',
  summary: "The audit log of a town, filtered by actor, unit, task and date (office and supervisors: the town's and its region's)",
  request: {
    params: TownParam,
    query: z.object({
      actor: z.string().max(100).optional(),
      unit: Slug.optional(),
      task: Slug.optional(),
      from: z.iso.date().optional(),
      to: z.iso.date().optional(),
      limit: Limit,
    }),
  },
  responses: { 200: json(z.object({ entries: z.array(z.record(z.string(), z.unknown())) }), 'Audit entries'), 401: err('Not signed in'), 403: err('Not permitted') },
});
const progressRoute = contract('public', {
  method: 'get',
  path: '/towns/{town}/progress',
  summary:
    "Public: the town's progress as its pages and data.json show it — every target's verdict per milestone, every task's public state (not_reported until an approved report; parents roll up from their children; overdue only when reported unfinished past the deadline), the approved updates, values and published bulletins",
  request: { params: TownParam },
  responses: { 200: json(TownProgress, 'Progress'), 404: err('No such town') },
});

async function reviewable(c: Context<AppEnv>, caller: Caller, id: string) {
  const u = await readUpdate(c.env.DB, id);
  if (!u) throw notFound('Update', '进展报告', id);
  if (caller.role !== 'admin' && caller.town_id !== u.town) throw await denied(c, `update ${id} belongs to another town`);
  if (caller.role !== 'office') throw await denied(c, 'only the office reviews updates');
  const task = await readTaskForUpdate(c.env.DB, u.town, u.task);
  if (!task) throw notFound('Task', '任务', `${u.town}:${u.task}`);
  return { u, task };
}

/**
 * The stored files an update's attachments name, all of the task's town: 422 naming each one that
 * is not (`attachments.N.file` / `.thumb`), or a thumbnail that is not an image.
 */
export async function attachedFiles(db: D1Database, town: string, list: AttachmentInput[]): Promise<Map<string, FileRow>> {
  const files = await readFiles(db, town, [...new Set(list.flatMap((a) => (a.thumb ? [a.file, a.thumb] : [a.file])))]);
  const bad = list.flatMap((a, i) => [
    ...(files.has(a.file) ? [] : [{ path: `attachments.${i}.file`, message: '没有找到这个文件，请先上传', message_en: 'no such file in this town: upload it first' }]),
    ...(a.thumb && !files.get(a.thumb)?.type.startsWith('image/')
      ? [{ path: `attachments.${i}.thumb`, message: '缩略图须为已上传的照片', message_en: 'the thumbnail must be an uploaded image' }]
      : []),
  ]);
  if (bad.length) throw new ApiError(422, 'file_not_found', '有附件没有找到（须先上传到本镇），请重新上传。', 'Some attached files are not stored for this town; upload them first.', bad);
  return files;
}

const alreadyReviewed = (u: UpdateView) =>
  new ApiError(409, 'already_reviewed', `这份进展报告已经${u.state === 'approved' ? '通过' : '退回'}，不能再审核。`, `This update was already ${u.state}.`);

/** Mounted at /api/v1. */
export const updates = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(submitRoute, async (c) => {
    const caller = await requireCaller(c, 'reporter');
    const input = c.req.valid('json');
    const t = await taskFor(c, caller, c.req.valid('param').task, 'report');
    const ifMatch = parseIfMatch(c.req.header('if-match'));
    if (ifMatch === null) throw preconditionRequired();
    if (Number.isNaN(ifMatch)) throw new ApiError(400, 'validation_failed', 'If-Match 格式应为 "版本号"', 'If-Match must be "<version>"', [{ path: 'If-Match', message: '格式错误' }]);
    const delivers = new Map(t.indicators.map((i) => [i.id, i.kind]));
    const bad = input.measurements.flatMap((m, i) => (delivers.get(m.indicator) === 'numeric' ? [] : [{ path: `measurements.${i}.indicator`, message: `本任务不负责指标“${m.indicator}”，或该指标不是数值指标`, message_en: `this task does not deliver numeric indicator ${m.indicator}` }]));
    if (bad.length) throw new ApiError(422, 'indicator_not_of_task', '有指标不属于这项任务，请检查。', 'Some indicators are not delivered by this task.', bad);
    const refused = parentRefusal(t, input);
    if (refused) throw refused;
    const evidence = evidenceRefusal(t, input);
    if (evidence) throw new ApiError(422, evidence.code, evidence.message, evidence.message_en, evidence.fields);
    const files = await attachedFiles(c.env.DB, t.town_id, input.attachments);
    return once(c, caller, { ...input, ifMatch }, async () => {
      if (ifMatch !== t.version) throw stale(t.version);
      const now = new Date().toISOString();
      const view: UpdateView = {
        id: newId(),
        town: t.town_id,
        task: t.id,
        unit: caller.unit_id!,
        author: caller.id,
        state: 'pending',
        status: input.status,
        percent: input.percent,
        narrative: input.narrative,
        measurements: input.measurements,
        evidence: input.evidence,
        base_version: ifMatch,
        created_at: now,
        reviewed_by: null,
        reviewed_at: null,
        reject_reason: null,
        attachments: [],
      };
      const attached = attachmentStmts(t.town_id, { kind: 'update', id: view.id }, input.attachments, files, now);
      view.attachments = attached.views;
      c.header('ETag', etag(t.version));
      return {
        status: 201 as const,
        answer: view,
        stmts: [
          ...submitStmts(view, input),
          ...attached.stmts,
          auditStmt({ at: now, actor: caller.id, action: 'update.submit', town_id: t.town_id, unit_id: view.unit, task_id: t.id, entity: 'task_update', entity_id: view.id, detail: { status: input.status, percent: input.percent, measurements: input.measurements.length, attachments: input.attachments.map((a) => a.file) } }),
        ],
        onConflict: async () => stale((await readTaskForUpdate(c.env.DB, t.town_id, t.id))?.version ?? t.version),
      };
    });
  })
  .openapi(approveRoute, async (c) => {
    const caller = await requireCaller(c, 'office');
    const { u, task } = await reviewable(c, caller, c.req.valid('param').update);
    const ifMatch = parseIfMatch(c.req.header('if-match'));
    if (ifMatch === null) throw preconditionRequired();
    const publish = [...new Set((c.req.valid('json') as { public_attachments?: string[] } | undefined)?.public_attachments ?? [])];
    const own = new Set(u.attachments.map((a) => a.id));
    const strangers = publish.flatMap((id, i) => (own.has(id) ? [] : [{ path: `public_attachments.${i}`, message: `附件“${id}”不属于这份报告`, message_en: `attachment ${id} is not of this update` }]));
    if (strangers.length) throw new ApiError(422, 'attachment_not_of_update', '要公开的附件不属于这份进展报告。', 'An attachment to publish is not of this update.', strangers);
    if (publish.length && task.kind === 'rectification') {
      throw new ApiError(422, 'internal_only', '整改事项的佐证材料只在内部查看，不能公开。', 'Files of rectification items stay internal.', [{ path: 'public_attachments', message: '整改事项不公开', message_en: 'rectification items are internal' }]);
    }
    // Publishing takes the order of the update's attachments, whatever order the body named them in.
    const published = u.attachments.filter((a) => publish.includes(a.id)).map((a) => a.id);
    return once(c, caller, { approve: u.id, ifMatch, ...(published.length ? { published } : {}) }, async () => {
      if (u.state !== 'pending') throw alreadyReviewed(u);
      if (ifMatch !== task.version) throw stale(task.version);
      // Judged again on the children as they are now: one may have been reopened since submission.
      const refused = parentRefusal(task, u);
      if (refused) throw refused;
      const now = new Date().toISOString();
      const answer: UpdateView = {
        ...u,
        state: 'approved',
        reviewed_by: caller.id,
        reviewed_at: now,
        attachments: u.attachments.map((a) => ({ ...a, visibility: published.includes(a.id) ? 'public' : 'internal' })),
      };
      c.header('ETag', etag(task.version + 1));
      return {
        status: 200 as const,
        answer,
        stmts: [
          descendantsGuardStmt(u.town, u.task, task.descendants_fingerprint),
          ...approveStmts(u, task, caller.id, now),
          ...approvalVisibilityStmts(u.id, published),
          auditStmt({
            at: now,
            actor: caller.id,
            action: 'update.approve',
            town_id: u.town,
            unit_id: u.unit,
            task_id: u.task,
            entity: 'task_update',
            entity_id: u.id,
            detail: { before: { status: task.status, percent: task.percent, version: task.version }, after: { status: u.status, percent: u.percent, version: task.version + 1 }, ...(u.attachments.length ? { published } : {}) },
          }),
        ],
        onConflict: async () => {
          const now2 = await readUpdate(c.env.DB, u.id);
          if (now2 && now2.state !== 'pending') return alreadyReviewed(now2);
          const fresh = await readTaskForUpdate(c.env.DB, u.town, u.task);
          return (fresh && parentRefusal(fresh, u)) || stale(fresh?.version ?? task.version);
        },
      };
    });
  })
  .openapi(rejectRoute, async (c) => {
    const caller = await requireCaller(c, 'office');
    const { reason } = c.req.valid('json');
    const { u } = await reviewable(c, caller, c.req.valid('param').update);
    return once(c, caller, { reject: u.id, reason }, async () => {
      if (u.state !== 'pending') throw alreadyReviewed(u);
      const now = new Date().toISOString();
      const answer: UpdateView = { ...u, state: 'rejected', reviewed_by: caller.id, reviewed_at: now, reject_reason: reason, attachments: u.attachments.map((a) => ({ ...a, visibility: 'internal' })) };
      return {
        status: 200 as const,
        answer,
        stmts: [
          ...rejectStmts(u, caller.id, reason, now),
          rejectVisibilityStmt(u.id),
          auditStmt({ at: now, actor: caller.id, action: 'update.reject', town_id: u.town, unit_id: u.unit, task_id: u.task, entity: 'task_update', entity_id: u.id, detail: { reason } }),
        ],
        onConflict: async () => alreadyReviewed((await readUpdate(c.env.DB, u.id)) ?? u),
      };
    });
  })
  .openapi(queueRoute, async (c) => {
    const { town } = c.req.valid('param');
    await townCaller(c, town, 'office', 'supervisor', 'region_supervisor', 'admin');
    const q = c.req.valid('query');
    return c.json({ updates: await listUpdates(c.env.DB, town, { state: q.status, task: q.task, unit: q.unit, limit: q.limit }) }, 200);
  })
  .openapi(myUpdatesRoute, async (c) => {
    const caller = await requireCaller(c);
    return c.json({ updates: await listUpdatesByAuthor(c.env.DB, caller.id, c.req.valid('query').limit) }, 200);
  })
  .openapi(myTasksRoute, async (c) => {
    const caller = await requireCaller(c, 'reporter', 'office', 'supervisor');
    const { body, etag } = await myTasksAnswer(c.env.DB, caller);
    c.header('ETag', etag);
    return c.json(body, 200);
  })
  .openapi(historyRoute, async (c) => {
    const caller = await requireCaller(c, 'reporter', 'office', 'supervisor', 'region_supervisor', 'admin');
    const ref = c.req.valid('param').task;
    const t = await taskFor(c, caller, ref, 'read');
    const h = await readHistory(c.env.DB, t.town_id, t.id);
    c.header('ETag', etag(t.version));
    return c.json({ task: ref, version: t.version, ...h }, 200);
  })
  .openapi(auditRoute, async (c) => {
    const { town } = c.req.valid('param');
    await townCaller(c, town, 'office', 'supervisor', 'region_supervisor', 'admin');
    const q = c.req.valid('query');
    return c.json({ entries: await readAudit(c.env.DB, town, q) }, 200);
  })
  .openapi(progressRoute, async (c) => {
    const { town } = c.req.valid('param');
    // As the pages read it: the newest 50 approved updates (and each task's latest); data.json has all.
    const t = await readTown(c.env.DB, town, new Date(), 50);
    if (!t) throw notFound('Town', '乡镇', town);
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(townProgress(t.bundle, t.view), 200);
  });
