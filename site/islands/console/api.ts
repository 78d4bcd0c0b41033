/**
 * The console's calls to the API: same origin, JSON, the session's Bearer token. Every error
 * arrives in the API's one shape and becomes an ApiFailure; a 401 ends the session here (the
 * UI then asks to sign in again). A network failure (offline, server unreachable) is a
 * NetworkFailure, so callers can tell "try again later" from "the server said no".
 */
import { clearSession, getSession } from './session.ts';

export interface FieldProblem {
  path: string;
  message: string;
}

/** The server answered with an error. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  constructor(status: number, code: string, message: string, fields: FieldProblem[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/** The request never got an answer. */
export class NetworkFailure extends Error {
  constructor() {
    super('网络连接失败，请检查网络后重试。');
  }
}

/** The Chinese half of a bilingual message ("中文 / English"). */
export const zhOnly = (m: string): string => m.split(' / ')[0]!;

export interface CallOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Do not attach the session (sign-in, activation). */
  anonymous?: boolean;
  /** A file sent as the body itself (an import), with its own content type. */
  raw?: Blob;
}

/** Sends a request; resolves with the raw Response of a 2xx, throws ApiFailure / NetworkFailure. */
export async function request(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.raw) headers['content-type'] = opts.raw.type || 'application/octet-stream';
  const session = opts.anonymous ? null : getSession();
  if (session) headers.authorization = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)), cache: 'no-store' });
  } catch {
    throw new NetworkFailure();
  }
  // 304 only answers our own If-None-Match (see local.ts): the caller has the body already.
  if (res.ok || res.status === 304) return res;
  let body: { error?: { code?: string; message?: string; fields?: FieldProblem[] } } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON: a proxy or a server error page */
  }
  if (res.status === 401 && !opts.anonymous) clearSession('expired');
  const e = body.error;
  if (!e && res.status >= 500) throw new ApiFailure(res.status, 'server_error', '服务器暂时无法处理，请稍后再试。');
  throw new ApiFailure(res.status, e?.code ?? 'error', e?.message ?? `请求失败（${res.status}）`, (e?.fields ?? []).map((f) => ({ path: f.path, message: zhOnly(f.message) })));
}

/** JSON call. */
export async function api<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const res = await request(path, opts);
  return (res.status === 204 ? null : await res.json()) as T;
}

/** A fresh Idempotency-Key. */
export const newKey = (): string => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

/** Downloads a file the API serves behind the session (a bulletin export) under a file name. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await request(path, { headers: { accept: '*/*' } });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Message for any failure, in Chinese. */
export const failureText = (e: unknown): string => (e instanceof ApiFailure || e instanceof NetworkFailure ? e.message : '出现意外错误，请刷新页面后重试。');
