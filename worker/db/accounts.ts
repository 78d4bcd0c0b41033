/**
 * All SQL for accounts, sessions, activation links and login throttling (migration 0004).
 *
 * Writes are plain statement builders (Stmt): the Worker runs them with runBatch together with
 * their audit row; the admin CLI renders them to SQL for `wrangler d1 execute`. Nothing here
 * needs D1 at run time (D1Database appears only in type positions), so Node can import it.
 */
import type { Caller, Role } from '../auth/context.ts';
import type { PasswordHash } from '../auth/password.ts';
import { stmt, type Stmt } from './sql.ts';

/** An account as the API shows it: no secrets. */
export interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  town_id: string | null;
  unit_id: string | null;
  status: 'pending' | 'active' | 'disabled';
  created_at: string;
  created_by: string;
}

/** An account with its stored password, for sign-in only. */
export interface AccountWithPassword extends AccountRow {
  password_hash: string | null;
  password_salt: string | null;
  password_iterations: number | null;
}

/** Usernames: the one pattern, defined with the account schemas. */
export { USERNAME_PATTERN } from '../domain/account.ts';
/** An activation link is valid for 7 days, once (the API and the admin CLI). */
export const ACTIVATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** The activation link for a token; the token is in the fragment so it never reaches server logs. */
export const activationPath = (token: string): string => `/console/activate/#token=${token}`;

const ACCOUNT_COLUMNS = 'id, username, display_name, role, town_id, unit_id, status, created_at, created_by';

// ---------------------------------------------------------------- writes (statement builders)

/** A new account to insert. `password` is set only for accounts created already active (demo accounts). */
export interface NewAccount {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  town_id: string | null;
  unit_id: string | null;
  password: PasswordHash | null;
  status: 'pending' | 'active';
  created_at: string;
  created_by: string;
}

/** INSERT of a new account; fails on a taken username (UNIQUE). */
export function insertAccountStmt(a: NewAccount, opts: { ifUsernameFree?: boolean } = {}): Stmt {
  return stmt(
    `INSERT INTO accounts (id, town_id, role, unit_id, username, display_name, password_hash, password_salt, password_iterations, status, created_at, created_by)` +
      ` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` +
      (opts.ifUsernameFree ? ` ON CONFLICT (username) DO NOTHING` : ''),
    a.id,
    a.town_id,
    a.role,
    a.unit_id,
    a.username,
    a.display_name,
    a.password?.hash ?? null,
    a.password?.salt ?? null,
    a.password?.iterations ?? null,
    a.status,
    a.created_at,
    a.created_by,
  );
}

/**
 * Turns `INSERT INTO t (cols) VALUES (?, …)` into an insert that happens only while no account has
 * `username`. Put it BEFORE the account insert in the same batch (e.g. the audit row of an
 * idempotent create: written the first time only).
 */
export function onlyIfUsernameFree(s: Stmt, username: string): Stmt {
  const m = /^INSERT INTO (\w+) \(([^)]*)\) VALUES \(([^)]*)\)$/.exec(s.sql);
  if (!m) throw new Error(`onlyIfUsernameFree: not a single-row INSERT … VALUES: ${s.sql}`);
  return {
    sql: `INSERT INTO ${m[1]} (${m[2]}) SELECT ${m[3]} WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE username = ?)`,
    params: [...s.params, username],
  };
}

/** A one-time activation link for an account. */
export const insertActivationStmt = (tokenHash: string, accountId: string, createdAt: string, expiresAt: string): Stmt =>
  stmt(`INSERT INTO activation_tokens (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`, tokenHash, accountId, createdAt, expiresAt);

/**
 * Sets the password of a pending account and activates it, provided the activation token is still
 * unused and unexpired. Run it BEFORE useActivationStmt in the same batch.
 */
export const activateAccountStmt = (accountId: string, pw: PasswordHash, tokenHash: string, now: string): Stmt =>
  stmt(
    `UPDATE accounts SET password_hash = ?, password_salt = ?, password_iterations = ?, status = 'active'` +
      ` WHERE id = ? AND status = 'pending'` +
      ` AND EXISTS (SELECT 1 FROM activation_tokens WHERE token_hash = ? AND account_id = ? AND used_at IS NULL AND expires_at > ?)`,
    pw.hash,
    pw.salt,
    pw.iterations,
    accountId,
    tokenHash,
    accountId,
    now,
  );

/** Marks an activation token used (once). */
export const useActivationStmt = (tokenHash: string, now: string): Stmt =>
  stmt(`UPDATE activation_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now, tokenHash);

/** Replaces an active account's password hash (e.g. re-hashing with more iterations at sign-in). */
export const setPasswordStmt = (accountId: string, pw: PasswordHash): Stmt =>
  stmt(
    `UPDATE accounts SET password_hash = ?, password_salt = ?, password_iterations = ? WHERE id = ? AND status = 'active'`,
    pw.hash,
    pw.salt,
    pw.iterations,
    accountId,
  );

/** A new session. */
export const insertSessionStmt = (tokenHash: string, accountId: string, createdAt: string, expiresAt: string): Stmt =>
  stmt(`INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`, tokenHash, accountId, createdAt, expiresAt);

/** Ends a session (logout). */
export const revokeSessionStmt = (tokenHash: string, now: string): Stmt =>
  stmt(`UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL`, now, tokenHash);

/** Records one login attempt under a throttling key (`user:<name>` or `ip:<addr>`). */
export const loginAttemptStmt = (key: string, at: string, ok: boolean): Stmt =>
  stmt(`INSERT INTO login_attempts (key, at, ok) VALUES (?, ?, ?)`, key, at, ok ? 1 : 0);

/** Forgets these keys' attempts older than `before` (keeps the table small; uses the (key, at) index). */
export const pruneLoginAttemptsStmt = (keys: string[], before: string): Stmt =>
  stmt(`DELETE FROM login_attempts WHERE key IN (${keys.map(() => '?').join(', ')}) AND at < ?`, ...keys, before);

/** For the admin CLI: is the username taken, does the town exist, does the unit exist in it. */
export const createUserPrecheckStmt = (username: string, town: string | null, unit: string | null): Stmt =>
  stmt(
    `SELECT (SELECT COUNT(*) FROM accounts WHERE username = ?) AS taken,` +
      ` (SELECT COUNT(*) FROM towns WHERE id = ?) AS town_ok,` +
      ` (SELECT COUNT(*) FROM units WHERE town_id = ? AND id = ?) AS unit_ok`,
    username,
    town,
    town,
    unit,
  );

// ---------------------------------------------------------------- reads (D1)

const bind = (db: D1Database, s: Stmt) => db.prepare(s.sql).bind(...s.params);

/** The `offset`-th most recent failure counted against `key` (after the last success when `resetOnSuccess`). */
const nthRecentFailure = (key: string, since: string, n: number, resetOnSuccess: boolean): Stmt =>
  stmt(
    `SELECT at FROM login_attempts WHERE key = ? AND ok = 0 AND at > ?` +
      (resetOnSuccess ? ` AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE key = ? AND ok = 1), '')` : '') +
      ` ORDER BY at DESC LIMIT 1 OFFSET ?`,
    ...(resetOnSuccess ? [key, since, key, n - 1] : [key, since, n - 1]),
  );

/** One throttling rule: at most `limit` failures per window for `key`. */
export interface ThrottleRule {
  key: string;
  limit: number;
  windowMs: number;
  /** a successful login clears the count (per username, not per address) */
  resetOnSuccess: boolean;
}

/**
 * What sign-in needs, in one round trip: the account (with its password hash) and, for each rule,
 * the time of the failure that reached the limit (null when under the limit).
 */
export async function readLoginState(
  db: D1Database,
  username: string,
  rules: ThrottleRule[],
  now: Date,
): Promise<{ account: AccountWithPassword | null; limitReachedAt: (string | null)[] }> {
  const [acc, ...rest] = await db.batch([
    bind(db, stmt(`SELECT ${ACCOUNT_COLUMNS}, password_hash, password_salt, password_iterations FROM accounts WHERE username = ?`, username)),
    ...rules.map((r) => bind(db, nthRecentFailure(r.key, new Date(now.getTime() - r.windowMs).toISOString(), r.limit, r.resetOnSuccess))),
  ]);
  return {
    account: (acc!.results[0] as AccountWithPassword | undefined) ?? null,
    limitReachedAt: rest.map((r) => (r.results[0] as { at: string } | undefined)?.at ?? null),
  };
}

/** The caller behind a session token hash: session live (not revoked, not expired) and account active. */
export async function readSessionCaller(db: D1Database, tokenHash: string, now: string): Promise<Caller | null> {
  const row = await bind(
    db,
    stmt(
      `SELECT a.id, a.username, a.display_name, a.role, a.town_id, a.unit_id FROM sessions s JOIN accounts a ON a.id = s.account_id` +
        ` WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.status = 'active'`,
      tokenHash,
      now,
    ),
  ).first<Omit<Caller, 'session'>>();
  return row ? { ...row, session: tokenHash } : null;
}

/** The pending account a live (unused, unexpired) activation token belongs to, or null. */
export async function readActivation(db: D1Database, tokenHash: string, now: string): Promise<AccountRow | null> {
  return bind(
    db,
    stmt(
      `SELECT ${ACCOUNT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')} FROM activation_tokens t JOIN accounts a ON a.id = t.account_id` +
        ` WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? AND a.status = 'pending'`,
      tokenHash,
      now,
    ),
  ).first<AccountRow>();
}

/** A town's accounts, without secrets, office first, then supervisors, then reporters by unit; null when the town does not exist. */
export async function listTownAccounts(db: D1Database, town: string): Promise<AccountRow[] | null> {
  const [t, r] = await db.batch([
    bind(db, stmt(`SELECT id FROM towns WHERE id = ?`, town)),
    bind(
      db,
      stmt(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE town_id = ?` +
          ` ORDER BY CASE role WHEN 'office' THEN 0 WHEN 'supervisor' THEN 1 ELSE 2 END, unit_id, username`,
        town,
      ),
    ),
  ]);
  return t!.results.length ? (r!.results as unknown as AccountRow[]) : null;
}

/** For creating an account: does the town exist, does the unit exist in it, is the username taken. */
export async function readCreateAccountFacts(
  db: D1Database,
  town: string,
  unit: string | null,
  username: string,
): Promise<{ town: boolean; unit: boolean; usernameTaken: boolean }> {
  const row = await bind(db, createUserPrecheckStmt(username, town, unit)).first<{ taken: number; town_ok: number; unit_ok: number }>();
  return { town: (row?.town_ok ?? 0) > 0, unit: (row?.unit_ok ?? 0) > 0, usernameTaken: (row?.taken ?? 0) > 0 };
}
