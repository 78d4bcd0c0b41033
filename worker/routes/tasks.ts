/**
 * Task management (任务分解表) for the office (领导小组办公室): the task table, creating and
 * decomposing tasks, editing them (title, units, deadline, weight, parent, lead member), and the
 * table's export and import as CSV/XLSX (worker/routes/task-table.ts). Every write bumps the task
 * version, appends task_history and one audit row in the same batch, and pins the edited fields so
 * the content loader keeps them.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { denied, requireCaller } from '../auth/middleware.ts';
import { runBatch } from '../db/batch.ts';
import { clearGuards } from '../db/updates.ts';
import { codeFreeGuard, readTaskTable, tableFingerprint, tableGuard, taskWriteStmts, versionGuard } from '../db/tasks.ts';
import {
  CreateTaskInput,
  PatchTaskInput,
  TASK_FIELDS,
  TaskView,
  changedFields,
  checkTasks,
  newTaskId,
  snapshot,
  stateOf,
  taskView,
  type TaskProblem,
  type TaskRecord,
  type TaskState,
} from '../domain/tasks.ts';
import { TaskRef, etag, parseIfMatch, parseTaskRef } from '../domain/update.ts';
import { once } from './updates.ts';
import { TOWN_READERS, TownParam, err, json, staffOf } from './supervision.ts';

type Ctx = Context<AppEnv, any, any>;

const TaskParam = z.object({ task: TaskRef.openapi({ param: { name: 'task', in: 'path' }, example: 'fengmao:kt1-health-assessment' }) });
const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
});
const IfMatchHeaders = z.object({ 'if-match': z.string().max(40).optional().openapi({ description: 'The task ETag ("3") the editor saw; required' }) });

/** The task table with what a task may refer to: the console's pick lists. */
export const TaskTableView = z
  .object({
    town: z.string(),
    name: z.string(),
    tasks: z.array(TaskView),
    units: z.array(z.object({ id: z.string(), name: z.string() })),
    members: z.array(z.object({ id: z.string(), name: z.string(), post: z.string() })),
    milestones: z.array(z.object({ id: z.string(), label: z.string(), due: z.string(), year: z.number() })),
  })
  .openapi('TaskTable');
const TaskOut = TaskView.openapi('Task');

const listRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/tasks',
  summary: "The town's task table (plan tasks in outline order, then rectification items) with its units, members and milestones (office, supervisor, region supervisor, admin)",
  request: { params: TownParam, query: z.object({ kind: z.enum(['all', 'plan', 'rectification']).default('all').openapi({ description: 'plan: the 任务分解表 only' }) }) },
  responses: { 200: json(TaskTableView, 'Task table'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town') },
});
const createTaskRoute = contract({ roles: ['office', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/tasks',
  summary: 'Create a task, or a sub-task of `parent` (decomposition) (office, admin)',
  request: { params: TownParam, headers: IdemHeaders, body: { content: { 'application/json': { schema: CreateTaskInput } }, required: true } },
  responses: {
    201: json(TaskOut, 'Created (version 1; ETag)'),
    400: err('Invalid body or headers'),
    401: err('Not signed in'),
    403: err('Not the office of this town'),
    404: err('No such town'),
    409: err('A task with this id exists, or the table changed meanwhile'),
    422: err('Unknown unit, member, milestone or parent; code taken; Idempotency-Key reused'),
  },
});
const patchRoute = contract({ roles: ['office', 'admin'], town: 'task' }, {
  method: 'patch',
  path: '/tasks/{task}',
  summary: 'Edit a task: title, code, units (re-assign), due milestone (deadline), weight, parent, lead member, 须附佐证 evidence_required (office, admin)',
  request: { params: TaskParam, headers: IfMatchHeaders, body: { content: { 'application/json': { schema: PatchTaskInput } }, required: true } },
  responses: {
    200: json(TaskOut, 'Edited (version + 1; ETag), or unchanged when nothing differs'),
    400: err('Invalid body or If-Match'),
    401: err('Not signed in'),
    403: err('Not the office of this town'),
    404: err('No such task'),
    409: err('The table changed meanwhile'),
    412: err('Stale task version'),
    422: err('Unknown unit, member, milestone or parent; parent cycle; code taken'),
    428: err('If-Match missing'),
  },
});

/** The caller, provided they are the office of `town` or an admin. */
export async function officeOf(c: Ctx, town: string) {
  const caller = await requireCaller(c, 'office', 'admin');
  if (caller.role !== 'admin' && caller.town_id !== town) throw await denied(c, `town ${town} is not the caller's town`, { entity: 'town', entity_id: town });
  return caller;
}

const invalid = (problems: TaskProblem[]) =>
  new ApiError(
    422,
    'task_invalid',
    `任务有误，请检查：${problems.map((p) => p.message).join('；')}`,
    `Invalid task: ${problems.map((p) => p.message_en).join('; ')}`,
    problems.map((p) => ({ path: p.field === 'units' && p.unit !== undefined ? `units.${p.unit}.unit` : p.field, message: p.message, message_en: p.message_en })),
  );

const taken = (id: string) =>
  new ApiError(409, 'task_exists', `任务标识“${id}”已存在，请换一个。`, `A task with id ${id} already exists.`, [{ path: 'id', message: '标识已存在', message_en: 'id taken' }]);
export const tableChanged = () =>
  new ApiError(409, 'tasks_changed', '任务表刚被其他人修改，请刷新后重试。', 'The task table changed meanwhile; reload and retry.');
const preconditionRequired = () =>
  new ApiError(428, 'if_match_required', '请带上任务的版本号（If-Match），以免覆盖别人的修改。', 'Send the task version in If-Match so no change is lost.', [
    { path: 'If-Match', message: '缺少版本号', message_en: 'missing' },
  ]);
const stale = (current: number) =>
  new ApiError(412, 'version_mismatch', `任务已被其他人修改（当前版本 ${current}），请刷新后再保存。`, `The task changed since you loaded it (now version ${current}); reload and save again.`, [
    { path: 'If-Match', message: `当前版本为 ${current}`, message_en: `current version is ${current}` },
  ]);

const constraintFailed = (e: unknown) => /CHECK constraint failed|UNIQUE constraint failed: tasks/.test(String((e as Error)?.message));

/** Mounted at /api/v1. */
export const tasks = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(listRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    const table = await readTaskTable(c.env.DB, town);
    if (!table) throw notFound('Town', '乡镇', town);
    const { kind } = c.req.valid('query');
    const rows = table.tasks.filter((t) => kind === 'all' || (kind === 'rectification') === (t.kind === 'rectification'));
    return c.json({ town, name: table.name, tasks: rows.map((t) => taskView(town, t, table.refs)), ...table.refs }, 200);
  })
  .openapi(createTaskRoute, async (c) => {
    const { town } = c.req.valid('param');
    const caller = await officeOf(c, town);
    const input = c.req.valid('json');
    try {
      return await once(c, caller, input, async () => {
        // Checked inside the idempotent write, so a retry of a create that succeeded replays its answer.
        const table = await readTaskTable(c.env.DB, town);
        if (!table) throw notFound('Town', '乡镇', town);
        const id = input.id ?? newTaskId();
        if (table.tasks.some((t) => t.id === id)) throw taken(id);
        const state: TaskState = {
          id,
          parent: input.parent,
          code: input.code,
          kind: input.kind ?? (input.parent ? 'deliverable' : 'key_task'),
          title: input.title,
          units: input.units,
          lead_member: input.lead_member,
          due: input.due,
          due_on: null,
          weight: input.weight,
          evidence_required: input.evidence_required,
        };
        const problems = checkTasks([...table.tasks.map(stateOf), state], new Set([id]), table.refs);
        if (problems.length) throw invalid(problems);
        const now = new Date().toISOString();
        const record: TaskRecord = {
          ...state,
          ordinal: table.tasks.reduce((n, t) => Math.max(n, t.ordinal), -1) + 1,
          status: 'not_started',
          percent: 0,
          version: 1,
          // A created task is the office's own: every field pinned, as taskWriteStmts stores it.
          edited: [...TASK_FIELDS],
          inspection: null,
          updated_at: now,
        };
        c.header('ETag', etag(1));
        return {
          status: 201 as const,
          answer: taskView(town, record, table.refs),
          stmts: [codeFreeGuard(town, state.code, null), ...taskWriteStmts(town, { creates: [{ state, ordinal: record.ordinal }], updates: [] }, { actor: caller.id, now, source: 'api' })],
          onConflict: async () => tableChanged(),
        };
      });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (/UNIQUE constraint failed: tasks/.test(String((e as Error)?.message))) throw taken(input.id ?? '');
      throw e;
    }
  })
  .openapi(patchRoute, async (c) => {
    const ref = c.req.valid('param').task;
    const { town, task: id } = parseTaskRef(ref);
    const caller = await officeOf(c, town);
    const input = c.req.valid('json');
    const ifMatch = parseIfMatch(c.req.header('if-match'));
    if (ifMatch === null) throw preconditionRequired();
    if (Number.isNaN(ifMatch)) throw new ApiError(400, 'validation_failed', 'If-Match 格式应为 "版本号"', 'If-Match must be "<version>"', [{ path: 'If-Match', message: '格式错误', message_en: 'malformed' }]);
    const table = await readTaskTable(c.env.DB, town);
    const task = table?.tasks.find((t) => t.id === id);
    if (!table || !task) throw notFound('Task', '任务', ref);
    if (ifMatch !== task.version) throw stale(task.version);
    const rect = task.kind === 'rectification';
    const misplaced = (rect ? (['parent', 'kind', 'due'] as const) : (['due_on'] as const)).filter((f) => input[f] !== undefined);
    if (misplaced.length) {
      throw new ApiError(
        422,
        'field_not_applicable',
        rect ? '整改事项没有上级任务、类别和时间节点，请改“整改时限”(due_on)。' : '计划任务的时限是时间节点(due)，不是日期(due_on)。',
        rect ? 'A rectification item has no parent, kind or milestone; change due_on.' : 'A plan task is due at a milestone (due), not on a date (due_on).',
        misplaced.map((f) => ({ path: f, message: '此字段不适用于该任务', message_en: 'not applicable to this task' })),
      );
    }
    const before = stateOf(task);
    const after: TaskState = { ...before };
    for (const k of ['code', 'parent', 'kind', 'title', 'units', 'lead_member', 'due', 'due_on', 'weight', 'evidence_required'] as const) {
      if (input[k] !== undefined) (after as Record<string, unknown>)[k] = input[k];
    }
    const changed = changedFields(before, after);
    c.header('ETag', etag(task.version));
    if (!changed.length) return c.json(taskView(town, task, table.refs), 200);
    const problems = checkTasks(table.tasks.map((t) => (t.id === id ? after : stateOf(t))), new Set([id]), table.refs);
    if (problems.length) throw invalid(problems);
    const now = new Date().toISOString();
    const history = { before: snapshot(before, changed), after: snapshot(after, changed) };
    try {
      await runBatch(c.env.DB, [
        versionGuard(town, id, task.version),
        ...(changed.includes('code') && !rect ? [codeFreeGuard(town, after.code, id)] : []),
        // A new parent is checked for cycles against the table as read: nothing else may have moved meanwhile.
        ...(changed.includes('parent') ? [tableGuard(town, tableFingerprint(table.tasks))] : []),
        ...taskWriteStmts(town, { creates: [], updates: [{ version: task.version, after, changed, before: history.before, afterFields: history.after }] }, { actor: caller.id, now, source: 'api' }),
        clearGuards(),
      ]);
    } catch (e) {
      if (!constraintFailed(e)) throw e;
      const now2 = (await readTaskTable(c.env.DB, town))?.tasks.find((t) => t.id === id);
      if (now2 && now2.version !== task.version) throw stale(now2.version);
      throw tableChanged();
    }
    const fresh = (await readTaskTable(c.env.DB, town))!;
    const saved = fresh.tasks.find((t) => t.id === id)!;
    c.header('ETag', etag(saved.version));
    return c.json(taskView(town, saved, fresh.refs), 200);
  });
