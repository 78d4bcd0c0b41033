/**
 * Task management (任务分解表) from the console: the payloads the office sends to create, decompose
 * and edit tasks, the task as the API returns it, and the pure rules every write must pass
 * (known units, members and milestones; one lead unit at least; unique outline numbers; no parent
 * cycles). The same rules check a single API edit and every row of an imported spreadsheet.
 */
import { z } from 'zod';
import { IsoDate } from './content.ts';
import { TaskStatus } from './plan-view.ts';

const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });

/** The editable fields of a task; an edited field is pinned so the content loader keeps the office's value. */
export const TASK_FIELDS = ['code', 'parent', 'kind', 'title', 'units', 'lead_member', 'due', 'weight', 'evidence_required'] as const;
export const TaskField = z.enum(TASK_FIELDS);
export type TaskField = z.infer<typeof TaskField>;

/** Kinds of plan task (rectification items come from inspections and are not created here). */
export const PlanTaskKind = z.enum(['key_task', 'guarantee', 'deliverable'], zh('类别应为 重点任务、组织保障 或 具体工作', 'kind must be key_task, guarantee or deliverable'));
export type PlanTaskKind = z.infer<typeof PlanTaskKind>;
export const TaskKind = z.enum(['key_task', 'guarantee', 'deliverable', 'rectification']);
export type TaskKind = z.infer<typeof TaskKind>;

/** Chinese labels of the kinds, as the 任务分解表 writes them. */
export const KIND_ZH: Record<TaskKind, string> = { key_task: '重点任务', guarantee: '组织保障', deliverable: '具体工作', rectification: '整改事项' };

const Id = z.string(zh('请填写标识', 'give an id')).regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, zh('标识只能使用小写字母、数字和连字符', 'id must be lower-case kebab-case')).max(80, zh('标识太长', 'id too long'));

/** A unit's part in a task: lead (牵头) or support (配合). */
export const TaskUnitInput = z.strictObject({ unit: Id, role: z.enum(['lead', 'support'], zh('角色应为 lead（牵头）或 support（配合）', 'role must be lead or support')) });
export type TaskUnitInput = z.infer<typeof TaskUnitInput>;

const Code = z.string(zh('请填写编号', 'give the outline number')).trim().min(1, zh('请填写编号', 'give the outline number')).max(40, zh('编号不能超过40字', 'code is at most 40 characters'));
const Title = z.string(zh('请填写任务内容', 'give the title')).trim().min(1, zh('请填写任务内容', 'give the title')).max(500, zh('任务内容不能超过500字', 'title is at most 500 characters'));
const Weight = z.number(zh('权重必须是数字', 'weight must be a number')).positive(zh('权重必须大于0', 'weight must be above 0')).max(1000, zh('权重不能大于1000', 'weight is at most 1000'));
const EvidenceRequired = z.boolean(zh('须附佐证应为 true 或 false', 'evidence_required must be true or false'));
const Units = z
  .array(TaskUnitInput, zh('请填写责任单位', 'give the units'))
  .min(1, zh('至少要有一个牵头单位', 'at least one lead unit'))
  .max(40, zh('责任单位不能超过40个', 'at most 40 units'))
  .refine((us) => us.some((u) => u.role === 'lead'), zh('至少要有一个牵头单位', 'at least one lead unit'))
  .refine((us) => new Set(us.map((u) => u.unit)).size === us.length, zh('同一单位只能出现一次', 'a unit may appear only once'));

/** POST /api/v1/towns/{town}/tasks: a task, or a sub-task when `parent` is given (decomposition). */
export const CreateTaskInput = z.strictObject({
  /** Stable id; generated when omitted. */
  id: Id.optional(),
  /** Outline number shown to readers (一.3, 保障二.1); unique among the town's plan tasks. */
  code: Code,
  /** Id of the parent task: the new task is one of its sub-tasks. */
  parent: Id.nullable().default(null),
  /** Default: deliverable under a parent, key_task at the top. */
  kind: PlanTaskKind.optional(),
  title: Title,
  units: Units,
  /** Member of the leading group answerable for the task (责任人). */
  lead_member: Id.nullable().default(null),
  /** Milestone id (y2018 …): the deadline. */
  due: Id,
  /** Weight within its parent for the progress roll-up. */
  weight: Weight.default(1),
  /** 须附佐证: a report of 已完成 must carry evidence (docs/evidence.md). */
  evidence_required: EvidenceRequired.default(false),
});
export type CreateTaskInput = z.infer<typeof CreateTaskInput>;

/** PATCH /api/v1/tasks/{task}: only the fields sent change. Rectification items change `due_on`, not `due`. */
export const PatchTaskInput = z
  .strictObject({
    code: Code.optional(),
    parent: Id.nullable().optional(),
    kind: PlanTaskKind.optional(),
    title: Title.optional(),
    units: Units.optional(),
    lead_member: Id.nullable().optional(),
    due: Id.optional(),
    /** A rectification item's own deadline. */
    due_on: IsoDate.optional(),
    weight: Weight.optional(),
    evidence_required: EvidenceRequired.optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), zh('请至少修改一项', 'change at least one field'));
export type PatchTaskInput = z.infer<typeof PatchTaskInput>;

/** A task as the console's task table shows it. */
export const TaskView = z.object({
  /** `<town>:<task>` for the task endpoints (updates, history, PATCH). */
  ref: z.string(),
  id: z.string(),
  town: z.string(),
  code: z.string(),
  parent: z.string().nullable(),
  kind: TaskKind,
  title: z.string(),
  units: z.array(z.object({ unit: z.string(), name: z.string(), role: z.enum(['lead', 'support']) })),
  lead_member: z.string().nullable(),
  lead_member_name: z.string().nullable(),
  /** Milestone id; null for a rectification item. */
  due: z.string().nullable(),
  due_label: z.string().nullable(),
  /** The deadline as a date: the milestone's, or a rectification item's own. */
  due_on: z.string().nullable(),
  weight: z.number(),
  /** 须附佐证: a report of 已完成 must carry evidence (photos or files). */
  evidence_required: z.boolean(),
  ordinal: z.number().int(),
  status: TaskStatus,
  percent: z.number().int(),
  version: z.number().int(),
  /** Fields the office has edited: the content loader leaves them alone. */
  edited: z.array(TaskField),
  inspection: z.string().nullable(),
  updated_at: z.string(),
});
export type TaskView = z.infer<typeof TaskView>;

/** The town's units, members and milestones: what a task may refer to (and the console's pick lists). */
export interface TownRefs {
  units: { id: string; name: string }[];
  members: { id: string; name: string; post: string }[];
  milestones: { id: string; label: string; due: string; year: number }[];
}

/** A task as stored: the editable state plus its progress and bookkeeping. */
export interface TaskRecord {
  id: string;
  parent: string | null;
  code: string;
  kind: TaskKind;
  title: string;
  units: TaskUnitInput[];
  lead_member: string | null;
  due: string | null;
  /** A rectification item's own deadline (null for plan tasks). */
  due_on: string | null;
  weight: number;
  /** 须附佐证: a report of 已完成 must carry evidence. */
  evidence_required: boolean;
  ordinal: number;
  status: TaskStatus;
  percent: number;
  version: number;
  edited: TaskField[];
  inspection: string | null;
  updated_at: string;
}

/** The part of a task a write may change. */
export type TaskState = Pick<TaskRecord, 'id' | 'parent' | 'code' | 'kind' | 'title' | 'units' | 'lead_member' | 'due' | 'due_on' | 'weight' | 'evidence_required'>;

/** The editable state of a stored task. */
export const stateOf = (t: TaskRecord): TaskState => ({
  id: t.id,
  parent: t.parent,
  code: t.code,
  kind: t.kind,
  title: t.title,
  units: t.units,
  lead_member: t.lead_member,
  due: t.due,
  due_on: t.due_on,
  weight: t.weight,
  evidence_required: t.evidence_required,
});

/** The view of a stored task. */
export function taskView(town: string, t: TaskRecord, refs: TownRefs): TaskView {
  const unitName = new Map(refs.units.map((u) => [u.id, u.name]));
  const member = t.lead_member ? refs.members.find((m) => m.id === t.lead_member) : undefined;
  const ms = t.due ? refs.milestones.find((m) => m.id === t.due) : undefined;
  return {
    ref: `${town}:${t.id}`,
    id: t.id,
    town,
    code: t.code,
    parent: t.parent,
    kind: t.kind,
    title: t.title,
    units: t.units.map((u) => ({ unit: u.unit, name: unitName.get(u.unit) ?? u.unit, role: u.role })),
    lead_member: t.lead_member,
    lead_member_name: member?.name ?? null,
    due: t.due,
    due_label: ms?.label ?? null,
    due_on: t.due_on ?? ms?.due ?? null,
    weight: t.weight,
    evidence_required: t.evidence_required,
    ordinal: t.ordinal,
    status: t.status,
    percent: t.percent,
    version: t.version,
    edited: t.edited,
    inspection: t.inspection,
    updated_at: t.updated_at,
  };
}

const unitKey = (us: TaskUnitInput[]) => us.map((u) => `${u.role}:${u.unit}`).sort().join(',');

/** The editable fields whose value differs (units compared as a set: their order is presentation). */
export function changedFields(before: TaskState, after: TaskState): (TaskField | 'due_on')[] {
  const out: (TaskField | 'due_on')[] = [];
  if (before.code !== after.code) out.push('code');
  if (before.parent !== after.parent) out.push('parent');
  if (before.kind !== after.kind) out.push('kind');
  if (before.title !== after.title) out.push('title');
  if (unitKey(before.units) !== unitKey(after.units)) out.push('units');
  if (before.lead_member !== after.lead_member) out.push('lead_member');
  if (before.due !== after.due) out.push('due');
  if (before.due_on !== after.due_on) out.push('due_on');
  if (before.weight !== after.weight) out.push('weight');
  if (before.evidence_required !== after.evidence_required) out.push('evidence_required');
  return out;
}

/** The changed fields of a task, before and after, for task_history and the audit row. */
export function snapshot(t: TaskState, fields: readonly (TaskField | 'due_on')[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = t[f];
  return out;
}

/** One problem with a task write: the field it concerns and what is wrong, in both languages. */
export interface TaskProblem {
  id: string;
  field: TaskField | 'due_on' | 'id';
  /** Index of the unit in `units`, when the problem is one unit. */
  unit?: number;
  message: string;
  message_en: string;
}

/**
 * Checks the tasks in `touched` against the whole resulting table `after` (every task of the town
 * once the write is applied): references resolve, codes are unique among plan tasks, a deliverable
 * has a parent, and no parent chain loops.
 */
export function checkTasks(after: TaskState[], touched: Set<string>, refs: TownRefs): TaskProblem[] {
  const units = new Set(refs.units.map((u) => u.id));
  const members = new Set(refs.members.map((m) => m.id));
  const milestones = new Set(refs.milestones.map((m) => m.id));
  const byId = new Map(after.map((t) => [t.id, t]));
  const codes = new Map<string, string[]>();
  for (const t of after) if (t.kind !== 'rectification') codes.set(t.code, [...(codes.get(t.code) ?? []), t.id]);
  const out: TaskProblem[] = [];
  const p = (id: string, field: TaskProblem['field'], cn: string, en: string, unit?: number) => out.push({ id, field, message: cn, message_en: en, ...(unit !== undefined ? { unit } : {}) });
  for (const t of after) {
    if (!touched.has(t.id)) continue;
    t.units.forEach((u, i) => units.has(u.unit) || p(t.id, 'units', `未找到单位“${u.unit}”`, `unknown unit ${u.unit}`, i));
    if (t.lead_member && !members.has(t.lead_member)) p(t.id, 'lead_member', `未找到领导小组成员“${t.lead_member}”`, `unknown member ${t.lead_member}`);
    if (t.kind === 'rectification') continue;
    if (!t.due || !milestones.has(t.due)) p(t.id, 'due', `未找到时间节点“${t.due ?? ''}”（应为 ${refs.milestones.map((m) => m.id).join('、')}）`, `unknown milestone ${t.due ?? ''}`);
    const same = codes.get(t.code) ?? [];
    if (same.length > 1) p(t.id, 'code', `编号“${t.code}”已被其他任务使用`, `code ${t.code} is used by another task`);
    if (t.parent === null) {
      if (t.kind === 'deliverable') p(t.id, 'parent', '具体工作必须有上级任务', 'a deliverable needs a parent');
      continue;
    }
    const parent = byId.get(t.parent);
    if (!parent) {
      p(t.id, 'parent', `未找到上级任务“${t.parent}”`, `unknown parent ${t.parent}`);
      continue;
    }
    if (parent.kind === 'rectification') {
      p(t.id, 'parent', '整改事项不能作为上级任务', 'a rectification item cannot be a parent');
      continue;
    }
    // Walk up: a chain that comes back to this task is a cycle.
    const chain = [t.code];
    let at: TaskState | undefined = parent;
    const seen = new Set<string>([t.id]);
    while (at) {
      chain.push(at.code);
      if (at.id === t.id) {
        p(t.id, 'parent', `上级任务形成循环：${chain.join(' → ')}`, `parent cycle: ${chain.join(' -> ')}`);
        break;
      }
      if (seen.has(at.id)) break; // a loop above that does not pass through this task is reported on its own members
      seen.add(at.id);
      at = at.parent ? byId.get(at.parent) : undefined;
    }
  }
  return out;
}

/** A fresh task id for a task created in the console (content/ ids are descriptive slugs). */
export const newTaskId = (): string => `t-${[...crypto.getRandomValues(new Uint8Array(6))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
