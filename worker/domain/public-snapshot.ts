/**
 * The public data snapshot the static site is built from: a town's approved progress as read
 * from D1 by `npm run snapshot` (worker/cli/snapshot.ts) into `.snapshot/<town>.json`.
 * Only approved data is ever in it. The site reads it at build time (site/lib/snapshot.ts).
 */
import { z } from 'zod';
import { IsoDate, Slug } from './content.ts';
import { TaskStatus } from './plan-view.ts';

/** An instant as D1 stores it (ISO 8601, UTC). */
const Instant = z.string().min(10);

/** One approved measurement of an indicator. */
export const SnapshotValue = z.object({
  indicator: Slug,
  value: z.number(),
  as_of: IsoDate,
  source: z.string().min(1),
  approved_at: Instant,
  /** The approved update that carried it. */
  update: z.string().min(1),
});
export type SnapshotValue = z.infer<typeof SnapshotValue>;

/** One approved task update, as the public timeline shows it. */
export const SnapshotUpdate = z.object({
  id: z.string().min(1),
  task: Slug,
  unit: Slug,
  status: TaskStatus,
  percent: z.number().int().min(0).max(100),
  /** Plain text (rendered inert). */
  narrative: z.string(),
  approved_at: Instant,
});
export type SnapshotUpdate = z.infer<typeof SnapshotUpdate>;

/** A task's approved state. */
export const SnapshotTask = z.object({
  id: Slug,
  status: TaskStatus,
  percent: z.number().int().min(0).max(100),
  /** Id of the latest approved update, if any. */
  last_update: z.string().nullable(),
});
export type SnapshotTask = z.infer<typeof SnapshotTask>;

/** A published bulletin (通报), frozen when issued. */
export const SnapshotBulletin = z.object({
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
export type SnapshotBulletin = z.infer<typeof SnapshotBulletin>;

/** One day of the overdue trend (daily snapshots computed by the supervision cron). */
export const OverduePoint = z.object({ date: IsoDate, overdue: z.number().int().nonnegative() });

/** Everything the public pages of one town show from the database. */
export const TownSnapshot = z.object({
  town: Slug,
  /** When the snapshot was taken. */
  generated_at: Instant,
  /** The latest approval time in the data (null when nothing is approved yet). */
  updated_at: Instant.nullable(),
  tasks: z.array(SnapshotTask),
  updates: z.array(SnapshotUpdate),
  values: z.array(SnapshotValue),
  bulletins: z.array(SnapshotBulletin).default([]),
  overdue_trend: z.array(OverduePoint).default([]),
});
export type TownSnapshot = z.infer<typeof TownSnapshot>;
