/** Inspections (督导检查) and rectification items (整改): what a supervisor records. */
import { z } from 'zod';
import { isCalendarDate } from './supervision.ts';
import { AttachmentList } from './files.ts';

const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });
const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, zh('编号格式错误', 'malformed id'));
const Day = z.string(zh('请填写日期', 'give a date')).refine(isCalendarDate, zh('日期格式应为 YYYY-MM-DD', 'date must be YYYY-MM-DD'));
const Text = (max: number, what: string, whatEn: string) =>
  z
    .string(zh(`请填写${what}`, `give the ${whatEn}`))
    .trim()
    .min(1, zh(`请填写${what}`, `give the ${whatEn}`))
    .max(max, zh(`${what}不能超过${max}字`, `${whatEn} is at most ${max} characters`));

/** A rectification item: tracked as a task of its responsible unit until done. */
export const RectificationInput = z.strictObject({
  title: Text(200, '整改事项', 'title'),
  /** What must be done, in full. */
  requirement: Text(2000, '整改要求', 'requirement').optional(),
  /** The responsible unit (its reporters report on the item). */
  unit: Slug,
  /** The deadline (整改时限). */
  due_on: Day,
  lead_member: Slug.optional(),
});

/** POST /api/v1/towns/{town}/inspections */
export const InspectionInput = z.strictObject({
  inspected_on: Day,
  title: Text(200, '检查名称', 'title'),
  inspectors: z.array(Text(100, '检查人员', 'inspector')).min(1, zh('至少填写一名检查人员', 'name at least one inspector')).max(30),
  units: z.array(Slug).max(100).default([]),
  tasks: z.array(Slug).max(200).default([]),
  findings: z
    .array(z.strictObject({ text: Text(2000, '发现的问题', 'finding'), unit: Slug.optional(), task: Slug.optional() }))
    .max(100)
    .default([]),
  rectifications: z.array(RectificationInput).max(100).default([]),
  /** Uploaded files (POST /towns/{town}/files) with captions: photos of what was found; internal. */
  attachments: AttachmentList,
});
export type InspectionInput = z.infer<typeof InspectionInput>;

/** Cross-reference problems: ids not of this town, deadlines before the inspection. */
export function inspectionProblems(input: InspectionInput, refs: { units: Set<string>; tasks: Set<string>; members: Set<string> }) {
  const out: { path: string; message: string; message_en: string }[] = [];
  input.units.forEach((u, i) => refs.units.has(u) || out.push({ path: `units.${i}`, message: `本镇没有单位“${u}”`, message_en: `no unit ${u} in this town` }));
  input.tasks.forEach((t, i) => refs.tasks.has(t) || out.push({ path: `tasks.${i}`, message: `本镇没有任务“${t}”`, message_en: `no task ${t} in this town` }));
  input.findings.forEach((f, i) => {
    if (f.unit && !refs.units.has(f.unit)) out.push({ path: `findings.${i}.unit`, message: `本镇没有单位“${f.unit}”`, message_en: `no unit ${f.unit} in this town` });
    if (f.task && !refs.tasks.has(f.task)) out.push({ path: `findings.${i}.task`, message: `本镇没有任务“${f.task}”`, message_en: `no task ${f.task} in this town` });
  });
  input.rectifications.forEach((r, i) => {
    if (!refs.units.has(r.unit)) out.push({ path: `rectifications.${i}.unit`, message: `本镇没有单位“${r.unit}”`, message_en: `no unit ${r.unit} in this town` });
    if (r.lead_member && !refs.members.has(r.lead_member))
      out.push({ path: `rectifications.${i}.lead_member`, message: `领导小组中没有“${r.lead_member}”`, message_en: `no member ${r.lead_member}` });
    if (r.due_on < input.inspected_on)
      out.push({ path: `rectifications.${i}.due_on`, message: '整改时限不能早于检查日期', message_en: 'the deadline cannot be before the inspection' });
  });
  return out;
}
