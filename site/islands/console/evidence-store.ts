/**
 * Where attached files wait, and how they travel. The shrunk bytes are kept in this browser's
 * IndexedDB (localStorage holds 5 MB of text at most; one photo is up to 300 KB of binary), keyed
 * by a local id that the draft and the outbox entry keep. Uploads go through XMLHttpRequest for
 * its upload progress (fetch has none for a request body), as the raw bytes of the file
 * (POST /api/v1/towns/{town}/files, docs/evidence.md).
 */
import { ApiFailure, NetworkFailure, newKey, zhOnly } from './api.ts';
import { clearSession, getSession } from './session.ts';

const DB = 'dtt-console-files';
const STORE = 'blobs';

let opened: Promise<IDBDatabase> | null = null;
function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => {
      opened = null;
      reject(r.error);
    };
  });
  return opened;
}

function tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return db().then(
    (d) =>
      new Promise((resolve, reject) => {
        const t = d.transaction(STORE, mode);
        const req = f(t.objectStore(STORE));
        t.oncomplete = () => resolve(req ? req.result : undefined);
        t.onerror = () => reject(t.error);
        t.onabort = () => reject(t.error ?? new Error('IndexedDB aborted'));
      }),
  );
}

/** Keeps a blob; resolves with its local id. Stored as an ArrayBuffer with its type (some browsers cannot keep Blobs in IndexedDB). */
export async function putBlob(blob: Blob): Promise<string> {
  const id = `f-${newKey()}`;
  const data = await blob.arrayBuffer();
  await tx('readwrite', (s) => s.put({ type: blob.type, data }, id));
  return id;
}

/** A kept blob, or null when it is gone (cleared storage, another browser). */
export async function getBlob(id: string): Promise<Blob | null> {
  const v = (await tx<{ type: string; data: ArrayBuffer } | undefined>('readonly', (s) => s.get(id))) ?? null;
  return v ? new Blob([v.data], { type: v.type }) : null;
}

/** Forgets kept blobs (the report was accepted, or the file removed). */
export async function deleteBlobs(ids: string[]): Promise<void> {
  if (!ids.length) return;
  await tx('readwrite', (s) => void ids.forEach((id) => s.delete(id)));
}

/** Every local id kept (to drop ones nothing refers to any more). */
export async function blobIds(): Promise<string[]> {
  return ((await tx<IDBValidKey[]>('readonly', (s) => s.getAllKeys())) ?? []).map(String);
}

/** A blob as a data: URL (the console's CSP allows data: images, not blob:). */
export function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}

/** The Worker's answer to an upload. */
export interface Stored {
  file: string;
  type: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

/**
 * Uploads one file's bytes to the town, reporting bytes sent. Throws NetworkFailure (no answer:
 * try again later) or ApiFailure (the server said no: 413, 415, …) like api.ts's request.
 */
export function upload(town: string, blob: Blob, onProgress?: (sent: number, total: number) => void): Promise<Stored> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', `/api/v1/towns/${encodeURIComponent(town)}/files`);
    x.setRequestHeader('accept', 'application/json');
    x.setRequestHeader('content-type', blob.type || 'application/octet-stream');
    const s = getSession();
    if (s) x.setRequestHeader('authorization', `Bearer ${s.token}`);
    if (onProgress) x.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : blob.size);
    x.onerror = x.ontimeout = x.onabort = () => reject(new NetworkFailure());
    x.onload = () => {
      let body: { file?: string; error?: { code?: string; message?: string; fields?: { path: string; message: string }[] } } = {};
      try {
        body = JSON.parse(x.responseText);
      } catch {
        /* not JSON: a proxy page */
      }
      if (x.status >= 200 && x.status < 300 && body.file) return resolve(body as Stored);
      if (x.status === 401) clearSession('expired');
      const e = body.error;
      if (!e && x.status >= 500) return reject(new ApiFailure(x.status, 'server_error', '服务器暂时无法处理，请稍后再试。'));
      reject(new ApiFailure(x.status, e?.code ?? 'error', zhOnly(e?.message ?? `上传失败（${x.status}）`), (e?.fields ?? []).map((f) => ({ path: f.path, message: zhOnly(f.message) }))));
    };
    // The bytes, not the Blob: the same on the wire, and a browser's DevTools (and the e2e test) can read them.
    blob.arrayBuffer().then((b) => x.send(b), reject);
  });
}
