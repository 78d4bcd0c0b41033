/**
 * What the public pages of one town show from the database, as read from D1 at request time by
 * worker/db/public.ts: the task table (the office edits it) and the approved progress. Only
 * approved data is ever in it; rectification items (督导整改) and unpublished bulletins never are.
 */
import { z } from 'zod';
import { IsoDate, Slug } from './content.ts';
import { TaskStatus } from './plan-view.ts';

/** An instant as D1 stores it (ISO 8601, UTC). */
const Instant = z.string().min(10);

/** One approved measurement of an indicator. */
export const PublicValue = z.object({
  indicator: Slug,
  value: z.number(),
  as_of: IsoDate,
  source: z.string().min(1),
  approved_at: Instant,
  /** The approved update that carried it. */
  update: z.string().min(1),
});
export type PublicValue = z.infer<typeof PublicValue>;

/** A public evidence file of an approved update (docs/evidence.md): a photo with its thumbnail, or a PDF. */
export const PublicAttachment = z.object({
  id: z.string().min(1),
  /** What it shows (the alt text). */
  caption: z.string().min(1),
  type: z.enum(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']),
  bytes: z.number().int().positive(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** The file's public address. */
  url: z.string(),
  /** The attachment's own page (full size, caption, date, unit). */
  page: z.string(),
  /** A smaller image for lists, when the reporter's console made one. */
  thumb: z.object({ url: z.string(), width: z.number().int(), height: z.number().int() }).nullable(),
});
export type PublicAttachment = z.infer<typeof PublicAttachment>;

/** One approved task update, as the public timeline shows it. */
export const PublicUpdate = z.object({
  id: z.string().min(1),
  task: Slug,
  unit: Slug,
  status: TaskStatus,
  percent: z.number().int().min(0).max(100),
  /** Plain text (rendered inert). */
  narrative: z.string(),
  approved_at: Instant,
  /** Its evidence files the office made public, in the reporter's order. */
  attachments: z.array(PublicAttachment).default([]),
});
export type PublicUpdate = z.infer<typeof PublicUpdate>;

/** A plan task as the task table holds it now, with its approved state. */
export const PublicTask = z.object({
  id: Slug,
  parent: Slug.nullable(),
  code: z.string().min(1),
  kind: z.enum(['key_task', 'guarantee', 'deliverable']),
  title: z.string().min(1),
  /** The plan's words for it; empty for a task the office added. */
  quote: z.string(),
  units: z.array(z.object({ unit: Slug, role: z.enum(['lead', 'support']) })),
  units_basis: z.enum(['stated', 'inferred']),
  lead_member: Slug.nullable(),
  /** Milestone id. */
  due: Slug,
  due_basis: z.enum(['stated', 'inferred']),
  weight: z.number().positive(),
  indicators: z.array(Slug),
  status: TaskStatus,
  percent: z.number().int().min(0).max(100),
  /** Id of the latest approved update, if any. */
  last_update: z.string().nullable(),
});
export type PublicTask = z.infer<typeof PublicTask>;

/** A published bulletin (通报), frozen when issued. */
export const PublicBulletin = z.object({
  id: z.string().min(1),
  /** e.g. 冯卯医养督〔2019〕1号 */
  number: z.string().min(1),
  title: z.string().min(1),
  issued_on: IsoDate,
  period_from: IsoDate.optional(),
  period_to: IsoDate.optional(),
  summary: z.string().optional(),
  /** Link to the published print page, if any. */
  url: z.string().optional(),
});
export type PublicBulletin = z.infer<typeof PublicBulletin>;

/** One day of the overdue trend (daily snapshots computed by the supervision cron). */
export const OverduePoint = z.object({ date: IsoDate, overdue: z.number().int().nonnegative() });

/** Everything the public pages of one town show from the database. */
export const TownPublicData = z.object({
  town: Slug,
  /** When it was read from the database. */
  generated_at: Instant,
  /** The latest approval time in the data (null when nothing is approved yet). */
  updated_at: Instant.nullable(),
  /** How many approved updates the town has (the page lists only the newest). */
  updates_total: z.number().int().nonnegative().optional(),
  /** Ids of the newest approved updates read, newest first (absent: all were read). */
  recent: z.array(z.string()).optional(),
  tasks: z.array(PublicTask),
  updates: z.array(PublicUpdate),
  values: z.array(PublicValue),
  bulletins: z.array(PublicBulletin).default([]),
  overdue_trend: z.array(OverduePoint).default([]),
});
export type TownPublicData = z.infer<typeof TownPublicData>;
