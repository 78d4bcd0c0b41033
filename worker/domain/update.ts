/**
 * Task updates: the payload a reporter submits, its review, and the pure rules about them.
 * Messages are written for a township clerk (Chinese first).
 */
import { z } from 'zod';
import { IsoDate } from './content.ts';
import { TaskStatus } from './plan-view.ts';
import { AttachmentList, AttachmentView } from './files.ts';

const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });

/** One indicator value reported with an update. */
export const MeasurementInput = z.strictObject({
  /** Catalogue id of a numeric indicator this task delivers. */
  indicator: z.string(zh('请选择指标', 'choose an indicator')).min(1, zh('请选择指标', 'choose an indicator')).max(100),
  value: z.number(zh('数值必须是数字', 'value must be a number')).gte(-1e12, zh('数值超出范围', 'value out of range')).lte(1e12, zh('数值超出范围', 'value out of range')),
  /** The date the value applies to. */
  as_of: IsoDate,
  /** Where the figure comes from, e.g. 镇卫生院2019年报表. */
  source: z.string(zh('请填写数据来源', 'give the source')).trim().min(1, zh('请填写数据来源', 'give the source')).max(500, zh('来源不能超过500字', 'source is at most 500 characters')),
});
export type MeasurementInput = z.infer<typeof MeasurementInput>;

/** An evidence link: http(s) only, so nothing executable reaches a page. */
export const EvidenceInput = z.strictObject({
  url: z
    .string(zh('请填写链接', 'give a link'))
    .max(2000, zh('链接太长', 'link too long'))
    .refine((u) => {
      try {
        const p = new URL(u);
        return p.protocol === 'https:' || p.protocol === 'http:';
      } catch {
        return false;
      }
    }, zh('链接必须以 http:// 或 https:// 开头', 'link must start with http:// or https://')),
  title: z.string().trim().max(200, zh('标题不能超过200字', 'title is at most 200 characters')).optional(),
});

/** POST /api/v1/tasks/{task}/updates */
export const UpdateInput = z.strictObject({
  status: z.enum(
    TaskStatus.options,
    zh('状态应为 未开始(not_started)、进行中(in_progress)、已完成(completed) 或 受阻(blocked)', 'status must be not_started, in_progress, completed or blocked'),
  ),
  percent: z
    .number(zh('完成比例必须是数字', 'percent must be a number'))
    .int(zh('完成比例必须是整数', 'percent must be a whole number'))
    .min(0, zh('完成比例不能小于0', 'percent cannot be below 0'))
    .max(100, zh('完成比例不能大于100', 'percent cannot be above 100')),
  /** Plain text (a safe Markdown subset is shown as text; nothing in it is executed). */
  narrative: z
    .string(zh('请填写进展说明', 'describe the progress'))
    .trim()
    .min(1, zh('请填写进展说明', 'describe the progress'))
    .max(5000, zh('进展说明不能超过5000字', 'narrative is at most 5000 characters')),
  measurements: z.array(MeasurementInput).max(20, zh('一次最多报20个指标值', 'at most 20 measurements')).default([]),
  evidence: z.array(EvidenceInput).max(10, zh('最多10个佐证链接', 'at most 10 evidence links')).default([]),
  /** Uploaded files (POST /towns/{town}/files), each with its caption: internal until the office publishes them. */
  attachments: AttachmentList,
});
export type UpdateInput = z.infer<typeof UpdateInput>;

/** POST /api/v1/updates/{update}/reject */
export const RejectInput = z.strictObject({
  reason: z
    .string(zh('请填写退回原因', 'give the reason'))
    .trim()
    .min(1, zh('请填写退回原因', 'give the reason'))
    .max(1000, zh('退回原因不能超过1000字', 'reason is at most 1000 characters')),
});

/** POST /api/v1/updates/{update}/approve (optional body): which attachments become public; the rest stay internal. */
export const ApproveInput = z.strictObject({
  public_attachments: z.array(z.string().min(1).max(64)).max(5, zh('最多5个附件', 'at most 5 attachments')).default([]),
});

/** Review state of an update. */
export const UpdateState = z.enum(['pending', 'approved', 'rejected']);

/** An update as the API returns it. */
export const UpdateView = z.object({
  id: z.string(),
  town: z.string(),
  task: z.string(),
  unit: z.string(),
  author: z.string(),
  state: UpdateState,
  status: TaskStatus,
  percent: z.number().int(),
  narrative: z.string(),
  measurements: z.array(MeasurementInput),
  evidence: z.array(z.object({ url: z.string(), title: z.string().optional() })),
  attachments: z.array(AttachmentView),
  base_version: z.number().int(),
  created_at: z.string(),
  reviewed_by: z.string().nullable(),
  reviewed_at: z.string().nullable(),
  reject_reason: z.string().nullable(),
});
export type UpdateView = z.infer<typeof UpdateView>;

/**
 * A report of 已完成 on a task that requires evidence needs at least one attached file; null when
 * the report may be stored.
 */
export function evidenceRefusal(task: { evidence_required: number | boolean }, report: { status: string; attachments: unknown[] }) {
  if (!task.evidence_required || report.status !== 'completed' || report.attachments.length > 0) return null;
  return {
    code: 'evidence_required',
    message: '这项任务须附佐证材料（照片或文件）才能报“已完成”。请附上照片或文件后再提交，或先报“进行中”。',
    message_en: 'This task needs evidence (a photo or file) before it can be reported completed: attach one, or report in progress.',
    fields: [{ path: 'attachments', message: '须至少附一个佐证文件', message_en: 'attach at least one file' }],
  };
}

/** A task reference in a URL: `<town>:<task>`, e.g. `fengmao:kt1-health-assessment`. */
export const TaskRef = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:-[a-z0-9]+)*$/, zh('任务编号格式应为 镇:任务', 'task must be <town>:<task>'));

/** Splits a task reference. */
export function parseTaskRef(ref: string): { town: string; task: string } {
  const [town, task] = ref.split(':') as [string, string];
  return { town, task };
}

/** The ETag of a task version, and parsing of If-Match (accepts "3", W/"3" and bare 3). */
export const etag = (version: number): string => `"${version}"`;
export function parseIfMatch(header: string | undefined): number | null {
  if (!header) return null;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  return m ? Number(m[1]) : NaN;
}
