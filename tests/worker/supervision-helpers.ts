/** History builder for supervision tests: updates submitted and approved at chosen times through the Worker's own DB functions. */
import { env } from 'cloudflare:test';
import { runBatch } from '../../worker/db/batch.ts';
import { approveStmts, readTaskForUpdate, readUpdate, submitStmts } from '../../worker/db/updates.ts';
import type { MeasurementInput } from '../../worker/domain/update.ts';

type Status = 'not_started' | 'in_progress' | 'completed' | 'blocked';
let n = 0;

/** Submits an update on a task (by its lead unit) and approves it at `approvedAt`. */
export async function approved(task: string, status: Status, percent: number, approvedAt: string, measurements: MeasurementInput[] = []) {
  const t = (await readTaskForUpdate(env.DB, 'fengmao', task))!;
  const id = `upd_hist_${++n}`;
  const submittedAt = new Date(Date.parse(approvedAt) - 3_600_000).toISOString();
  const input = { status, percent, narrative: `${task} ${status} ${percent}`, measurements, evidence: [] };
  await runBatch(env.DB, submitStmts({ id, town: 'fengmao', task, unit: t.units[0]!, author: 'acc-history', state: 'pending', ...input, base_version: t.version, created_at: submittedAt, reviewed_by: null, reviewed_at: null, reject_reason: null }, input));
  await runBatch(env.DB, approveStmts((await readUpdate(env.DB, id))!, t, 'acc-office', approvedAt));
}

