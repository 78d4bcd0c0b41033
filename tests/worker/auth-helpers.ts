/**
 * Builders for tests that need signed-in callers: accounts inserted with the same statements the
 * Worker uses, sign-in through the real API, and a JSON request helper carrying the token.
 *
 *   await loadContent();                                   // accounts refer to towns and units
 *   const reporter = await createAccount('reporter', 'weijiban');
 *   const token = await login(reporter.username);          // password defaults to TEST_PASSWORD
 *   const officeToken = await signIn('office');            // both in one step
 *   const { status, body } = await api('GET', '/api/v1/me', { token });
 */
import { env, SELF } from 'cloudflare:test';
import type { Role } from '../../worker/auth/context.ts';
import { hashPassword } from '../../worker/auth/password.ts';
import { insertAccountStmt } from '../../worker/db/accounts.ts';
import { runBatch } from '../../worker/db/batch.ts';

/** The password every createAccount() account has unless told otherwise. */
export const TEST_PASSWORD = 'test-password-2018';

/** An account made by createAccount(). */
export interface TestAccount {
  id: string;
  username: string;
  password: string;
  display_name: string;
  role: Role;
  town_id: string | null;
  unit_id: string | null;
  region_id: string | null;
}

let seq = 0;

/**
 * TEST_PASSWORD's hash, derived once per test file (PBKDF2 at the production cost) and shared by
 * the accounts that use it: a test file makes dozens of accounts, and each derivation is the
 * costliest step of making one. Sign-in still derives and compares as in production.
 */
let testPasswordHash: ReturnType<typeof hashPassword> | undefined;
const hashOf = (password: string) => (password === TEST_PASSWORD ? (testPasswordHash ??= hashPassword(TEST_PASSWORD)) : hashPassword(password));

/**
 * Inserts an ACTIVE account with a known password (PBKDF2 as in production). Load content first:
 * town and unit must exist. `unit` defaults to `weijiban` for a reporter and null otherwise;
 * `town` defaults to `fengmao` (null for admin and a region supervisor); `region`, a region
 * supervisor's region, defaults to `shanting` (Fengmao's county).
 */
export async function createAccount(
  role: Role,
  unit?: string | null,
  opts: { town?: string | null; region?: string; username?: string; display_name?: string; password?: string } = {},
): Promise<TestAccount> {
  const town = role === 'admin' || role === 'region_supervisor' ? null : opts.town === undefined ? 'fengmao' : opts.town;
  const region = role === 'region_supervisor' ? (opts.region ?? 'shanting') : null;
  const unitId = unit === undefined ? (role === 'reporter' ? 'weijiban' : null) : unit;
  const username = opts.username ?? `${role.replace('_', '-')}-${unitId ?? town ?? region ?? 'all'}-${++seq}`;
  const password = opts.password ?? TEST_PASSWORD;
  const display_name = opts.display_name ?? `测试${role}${seq}`;
  const id = crypto.randomUUID();
  await runBatch(env.DB, [
    insertAccountStmt({
      id,
      username,
      display_name,
      role,
      town_id: town,
      unit_id: unitId,
      region_id: region,
      password: await hashOf(password),
      status: 'active',
      created_at: new Date().toISOString(),
      created_by: 'system:test',
    }),
  ]);
  return { id, username, password, display_name, role, town_id: town, unit_id: unitId, region_id: region };
}

/** A JSON request to the real Worker; `token` becomes `Authorization: Bearer …`. */
export async function api<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string>; redirect?: 'follow' | 'manual' } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await SELF.fetch(`http://localhost${path}`, {
    method,
    headers,
    redirect: opts.redirect ?? 'follow',
    // `raw`: a non-JSON body (e.g. a CSV file), sent as given with the caller's Content-Type
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text || null) as T, headers: res.headers };
}

/** Signs in through POST /api/v1/auth/login and returns the session token; throws unless 200. */
export async function login(username: string, password: string = TEST_PASSWORD, headers?: Record<string, string>): Promise<string> {
  const r = await api<{ token: string }>('POST', '/api/v1/auth/login', { body: { username, password }, headers });
  if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** createAccount() then login(): the session token of a new account with this role (and unit). */
export async function signIn(role: Role, unit?: string | null, opts: Parameters<typeof createAccount>[2] = {}): Promise<string> {
  const a = await createAccount(role, unit, opts);
  return login(a.username, a.password);
}

/** createAccount() then login(): the account and its session token. */
export async function signedIn(role: Role, unit?: string | null, opts: Parameters<typeof createAccount>[2] = {}): Promise<TestAccount & { token: string }> {
  const a = await createAccount(role, unit, opts);
  return { ...a, token: await login(a.username, a.password) };
}

/** Audit rows, oldest first, optionally of one action. */
export async function auditRows(action?: string): Promise<{ id: number; at: string; actor: string; action: string; town_id: string | null; unit_id: string | null; task_id: string | null; entity: string | null; entity_id: string | null; detail_json: string }[]> {
  const q = action
    ? env.DB.prepare(`SELECT * FROM audit_log WHERE action = ? ORDER BY id`).bind(action)
    : env.DB.prepare(`SELECT * FROM audit_log ORDER BY id`);
  return (await q.all<any>()).results;
}
