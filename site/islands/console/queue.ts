/**
 * Nothing typed is lost. Two stores in this browser's localStorage, per account and keyed by task:
 *
 * - drafts: what is in a task's update form, saved on every change, cleared once the server has
 *   accepted the submission made from it;
 * - the outbox: submissions not yet accepted. Each keeps its Idempotency-Key and If-Match from
 *   the moment it was made, so a retry is the same request and the server stores it at most once.
 *
 * The outbox is sent on page load, on the `online` event, after signing in again, and on a timer
 * with exponential backoff (5 s, 10 s, 20 s … at most 5 min). A 412 (the task changed) or any
 * other refusal keeps the text: the entry waits for the person to put it back into the form.
 */
import type { UpdateInput } from '../../../worker/domain/update.ts';
import { ApiFailure, NetworkFailure, newKey, request, type FieldProblem } from './api.ts';

/** The update form as typed (numbers still as text, so nothing is coerced away). */
export interface Draft {
  status: string;
  percent: string;
  narrative: string;
  measurements: { indicator: string; value: string; as_of: string; source: string }[];
  evidence: { url: string; title: string }[];
}

export const emptyDraft = (status = 'in_progress', percent = ''): Draft => ({ status, percent, narrative: '', measurements: [], evidence: [] });

export type OutboxState = 'queued' | 'conflict' | 'refused';

/** A submission waiting to be accepted by the server. */
export interface OutboxEntry {
  /** The Idempotency-Key (also the entry's id). */
  key: string;
  /** `<town>:<task>` */
  task: string;
  title: string;
  /** The task version the person saw (If-Match). */
  ifMatch: number;
  body: UpdateInput;
  /** The form as typed, to put back when the server refuses it. */
  draft: Draft;
  state: OutboxState;
  attempts: number;
  nextAt: number;
  createdAt: string;
  error?: string;
  fields?: FieldProblem[];
}

const draftsKey = (account: string) => `dtt.console.drafts.${account}`;
const outboxKey = (account: string) => `dtt.console.outbox.${account}`;

function read<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());
/** Called whenever a draft or the outbox changes (in this tab or another). */
export function onQueueChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
if (typeof window !== 'undefined') window.addEventListener('storage', (e) => e.key?.startsWith('dtt.console.') && changed());

export const drafts = (account: string): Record<string, Draft> => read(draftsKey(account), {});
export function saveDraft(account: string, task: string, d: Draft | null): void {
  const all = drafts(account);
  if (d) all[task] = d;
  else delete all[task];
  localStorage.setItem(draftsKey(account), JSON.stringify(all));
  changed();
}

export const outbox = (account: string): OutboxEntry[] => read(outboxKey(account), []);
function writeOutbox(account: string, entries: OutboxEntry[]): void {
  localStorage.setItem(outboxKey(account), JSON.stringify(entries));
  changed();
}
function patch(account: string, key: string, f: (e: OutboxEntry) => OutboxEntry | null): void {
  writeOutbox(
    account,
    outbox(account).flatMap((e) => (e.key === key ? (f(e) ?? []) : [e])),
  );
}

/** Puts a validated submission in the outbox (the draft stays until the server accepts it). */
export function enqueue(account: string, e: Pick<OutboxEntry, 'task' | 'title' | 'ifMatch' | 'body' | 'draft'>): OutboxEntry {
  const entry: OutboxEntry = { ...e, key: newKey(), state: 'queued', attempts: 0, nextAt: 0, createdAt: new Date().toISOString() };
  writeOutbox(account, [...outbox(account), entry]);
  return entry;
}

/** Removes a refused entry and puts its text back into the task's draft. */
export function takeBack(account: string, key: string): Draft | null {
  const e = outbox(account).find((x) => x.key === key);
  if (!e) return null;
  saveDraft(account, e.task, e.draft);
  patch(account, key, () => null);
  return e.draft;
}

const backoff = (attempts: number) => Math.min(300_000, 5_000 * 2 ** Math.max(0, attempts - 1));

let flushing: Promise<number> | null = null;

/**
 * Sends every due queued entry, oldest first. Resolves with how many the server accepted.
 * `force` ignores the backoff (the `online` event, a button, signing in again).
 */
export function flush(account: string, opts: { force?: boolean; onAccepted?: (task: string) => void } = {}): Promise<number> {
  if (flushing) return flushing;
  flushing = (async () => {
    let accepted = 0;
    for (const e of outbox(account)) {
      if (e.state !== 'queued' || (!opts.force && e.nextAt > Date.now())) continue;
      try {
        await request(`/api/v1/tasks/${encodeURIComponent(e.task)}/updates`, {
          method: 'POST',
          body: e.body,
          headers: { 'Idempotency-Key': e.key, 'If-Match': `"${e.ifMatch}"` },
        });
        patch(account, e.key, () => null);
        // The draft is cleared only if it is still the text this submission was made from.
        if (JSON.stringify(drafts(account)[e.task]) === JSON.stringify(e.draft)) saveDraft(account, e.task, null);
        accepted++;
        opts.onAccepted?.(e.task);
      } catch (err) {
        if (err instanceof NetworkFailure || (err instanceof ApiFailure && (err.status >= 500 || err.status === 429 || err.status === 408))) {
          patch(account, e.key, (x) => ({ ...x, attempts: x.attempts + 1, nextAt: Date.now() + backoff(x.attempts + 1), error: err.message }));
          continue;
        }
        if (err instanceof ApiFailure && err.status === 401) break; // signed out: keep everything, resume after sign-in
        const f = err instanceof ApiFailure ? err : new ApiFailure(0, 'error', '提交失败');
        patch(account, e.key, (x) => ({ ...x, state: f.status === 412 ? 'conflict' : 'refused', error: f.message, fields: f.fields }));
      }
    }
    return accepted;
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
