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
 *
 * Attached files (佐证材料) travel with their entry: their bytes wait in IndexedDB
 * (evidence-store.ts), the entry keeps each file's local id, caption and — once the server has
 * stored it — its sha256, so a retry never uploads it again. The update is POSTed only when every
 * file is stored. A file the server refuses (413, 415) holds its entry until the person retries or
 * removes it; the report itself is never lost. Once the report is accepted, its bytes are deleted.
 */
import type { UpdateInput } from '../../../worker/domain/update.ts';
import { ApiFailure, NetworkFailure, newKey, request, type FieldProblem } from './api.ts';
// Loaded when a report has files: IndexedDB and upload code stay out of a first visit's scripts.
const store = () => import('./evidence-store.ts');

/** The update form as typed (numbers still as text, so nothing is coerced away). */
export interface Draft {
  status: string;
  percent: string;
  narrative: string;
  measurements: { indicator: string; value: string; as_of: string; source: string }[];
  evidence: { url: string; title: string }[];
  /** Attached files (older drafts have none). */
  files?: DraftFile[];
}

/** An attached file as the form and the outbox hold it; its bytes are in IndexedDB under `id` (and `thumbId`). */
export interface DraftFile {
  /** Local id of the shrunk bytes in IndexedDB. */
  id: string;
  /** Local id of the thumbnail's bytes (photos). */
  thumbId: string | null;
  name: string;
  kind: 'photo' | 'pdf';
  /** Bytes to upload (the shrunk photo, or the PDF), and the thumbnail's. */
  bytes: number;
  thumbBytes: number;
  width: number | null;
  height: number | null;
  /** The picked file's size before shrinking. */
  original?: number;
  caption: string;
  /** The sha256 the server answered for the file and its thumbnail, once stored. */
  file?: string;
  thumb?: string;
  /** In the outbox: waiting, uploading, stored, or refused by the server (held until retried or removed). */
  state?: 'waiting' | 'sending' | 'stored' | 'failed';
  error?: string;
}

export const emptyDraft = (status = 'in_progress', percent = ''): Draft => ({ status, percent, narrative: '', measurements: [], evidence: [], files: [] });

/** The local ids (IndexedDB keys) a file holds. */
const blobsOf = (f: DraftFile): string[] => (f.thumbId ? [f.id, f.thumbId] : [f.id]);

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
  /** Attached files, with their upload state (the same files as `draft.files`). */
  files?: DraftFile[];
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
  const files = (e.draft.files ?? []).map((f) => ({ ...f, state: f.file && (f.thumb || !f.thumbId) ? ('stored' as const) : ('waiting' as const), error: undefined }));
  const entry: OutboxEntry = { ...e, key: newKey(), state: 'queued', attempts: 0, nextAt: 0, createdAt: new Date().toISOString(), files };
  writeOutbox(account, [...outbox(account), entry]);
  return entry;
}

/** Removes a refused entry and puts its text back into the task's draft (its files with what the server already stored). */
export function takeBack(account: string, key: string): Draft | null {
  const e = outbox(account).find((x) => x.key === key);
  if (!e) return null;
  const draft: Draft = { ...e.draft, files: (e.files ?? e.draft.files ?? []).map(({ state: _s, error: _e, ...f }) => f) };
  saveDraft(account, e.task, draft);
  patch(account, key, () => null);
  return draft;
}

/** Whether some draft or outbox entry of this account still holds a local blob id. */
function held(account: string, ids: string[]): Set<string> {
  const all = new Set<string>();
  for (const d of Object.values(drafts(account))) (d.files ?? []).forEach((f) => blobsOf(f).forEach((id) => all.add(id)));
  for (const e of outbox(account)) [...(e.files ?? []), ...(e.draft.files ?? [])].forEach((f) => blobsOf(f).forEach((id) => all.add(id)));
  return new Set(ids.filter((id) => all.has(id)));
}

/** Deletes these files' bytes from IndexedDB unless a draft or another entry still holds them. */
export async function dropBlobs(account: string, files: DraftFile[]): Promise<void> {
  const ids = files.flatMap(blobsOf);
  const keep = held(account, ids);
  const gone = ids.filter((id) => !keep.has(id));
  if (gone.length) await store().then((s) => s.deleteBlobs(gone)).catch(() => undefined);
}

function patchFile(account: string, key: string, id: string, f: (x: DraftFile) => DraftFile): void {
  patch(account, key, (e) => ({ ...e, files: (e.files ?? []).map((x) => (x.id === id ? f(x) : x)) }));
}

/** A file the server refused, or that failed: try it again now. */
export function retryFile(account: string, key: string, id: string): void {
  patchFile(account, key, id, (x) => ({ ...x, state: 'waiting', error: undefined }));
  patch(account, key, (e) => ({ ...e, nextAt: 0 }));
}

/** Removes one file from a waiting report (the report stays), and forgets its bytes. */
export async function removeFile(account: string, key: string, id: string): Promise<void> {
  const f = outbox(account).find((e) => e.key === key)?.files?.find((x) => x.id === id);
  patch(account, key, (e) => ({ ...e, nextAt: 0, files: (e.files ?? []).filter((x) => x.id !== id), draft: { ...e.draft, files: (e.draft.files ?? []).filter((x) => x.id !== id) } }));
  if (f) await dropBlobs(account, [f]);
}

/** Bytes sent of each file being uploaded now (local id → sent/total), for the progress bars. Not stored. */
const progress = new Map<string, { sent: number; total: number }>();
const progressListeners = new Set<() => void>();
export const progressOf = (id: string): { sent: number; total: number } | undefined => progress.get(id);
/** Called on each upload progress event. */
export function onProgress(l: () => void): () => void {
  progressListeners.add(l);
  return () => progressListeners.delete(l);
}
function setProgress(id: string, sent: number, total: number): void {
  progress.set(id, { sent, total });
  progressListeners.forEach((l) => l());
}

/** A file the server will never take as it is (too big, wrong type): held until the person acts. */
class FileRefused extends Error {}

/**
 * Uploads the files of an entry the server does not have yet — each file with its thumbnail at
 * the same time, so one photo costs one round trip, not two — and keeps each sha256 on the entry
 * as it arrives. Throws NetworkFailure / ApiFailure (retry later, or signed out) or FileRefused.
 */
async function uploadFiles(account: string, e: OutboxEntry): Promise<void> {
  const town = e.task.split(':')[0]!;
  let refused = false;
  const one = async (f: DraftFile) => {
    if (f.state === 'stored' && f.file && (f.thumb || !f.thumbId)) return;
    patchFile(account, e.key, f.id, (x) => ({ ...x, state: 'sending', error: undefined }));
    const sent = { main: f.file ? f.bytes : 0, thumb: f.thumb || !f.thumbId ? f.thumbBytes : 0 };
    const total = f.bytes + f.thumbBytes;
    const tell = () => setProgress(f.id, sent.main + sent.thumb, total);
    tell();
    const send = async (local: string, part: 'main' | 'thumb') => {
      const { getBlob, upload } = await store();
      const blob = await getBlob(local).catch(() => null);
      if (!blob) throw new FileRefused('本机保存的文件已丢失（浏览器数据被清除），请移除后重新添加。');
      const r = await upload(town, blob, (n) => ((sent[part] = n), tell()));
      sent[part] = blob.size;
      tell();
      return r.file;
    };
    try {
      const [file, thumb] = await Promise.all([f.file ?? send(f.id, 'main'), f.thumbId && !f.thumb ? send(f.thumbId, 'thumb') : f.thumb]);
      patchFile(account, e.key, f.id, (x) => ({ ...x, file, thumb, state: 'stored', error: undefined }));
    } catch (err) {
      const gone = err instanceof FileRefused;
      const final = gone || (err instanceof ApiFailure && err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status));
      if (!final) {
        patchFile(account, e.key, f.id, (x) => ({ ...x, state: 'waiting', error: (err as Error).message }));
        throw err;
      }
      refused = true;
      patchFile(account, e.key, f.id, (x) => ({ ...x, state: 'failed', error: (err as Error).message }));
    } finally {
      progress.delete(f.id);
      progressListeners.forEach((l) => l());
    }
  };
  const results = await Promise.allSettled((e.files ?? []).map(one));
  const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
  if (refused) throw new FileRefused('');
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
      // A file the server refused holds its report until the person retries or removes it.
      if (e.files?.some((f) => f.state === 'failed')) continue;
      try {
        await uploadFiles(account, e);
        const files = outbox(account).find((x) => x.key === e.key)?.files ?? [];
        // The same photo picked twice shrinks to the same bytes, stored once: it is attached once (the first caption).
        const seen = new Set<string>();
        const attachments = files
          .filter((f) => !seen.has(f.file!) && !!seen.add(f.file!))
          .map((f) => ({ file: f.file!, caption: f.caption.trim(), ...(f.thumb ? { thumb: f.thumb } : {}) }));
        await request(`/api/v1/tasks/${encodeURIComponent(e.task)}/updates`, {
          method: 'POST',
          body: attachments.length ? { ...e.body, attachments } : e.body,
          headers: { 'Idempotency-Key': e.key, 'If-Match': `"${e.ifMatch}"` },
        });
        patch(account, e.key, () => null);
        // The draft is cleared only if it is still the text this submission was made from.
        if (JSON.stringify(drafts(account)[e.task]) === JSON.stringify(e.draft)) saveDraft(account, e.task, null);
        accepted++;
        // The server has the files now: their bytes leave this browser (unless a draft still holds them).
        await dropBlobs(account, files);
        opts.onAccepted?.(e.task);
      } catch (err) {
        if (err instanceof FileRefused) continue;
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
