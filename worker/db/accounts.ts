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
import { auditStmt } from './audit.ts';
import { ACTION_FROM, type AccountAction } from '../domain/account.ts';

/** An account as the API shows it: no secrets. */
export interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  town_id: string | null;
  unit_id: string | null;
  /** a region supervisor's region (migration 0018); null for every other role */
  region_id: string | null;
  status: 'pending' | 'active' | 'disabled';
  created_at: string;
  created_by: string;
  /** the last successful sign-in (migration 0015); null: never */
  last_login_at: string | null;
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

const ACCOUNT_COLUMNS = 'id, username, display_name, role, town_id, unit_id, region_id, status, created_at, created_by, last_login_at';

// ---------------------------------------------------------------- writes (statement builders)

/** A new account to insert. `password` is set only for accounts created already active (demo accounts). */
export interface NewAccount {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  town_id: string | null;
  unit_id: string | null;
  /** a region supervisor's region; omitted (null) for every other role */
  region_id?: string | null;
  password: PasswordHash | null;
  status: 'pending' | 'active';
  created_at: string;
  created_by: string;
}

/** INSERT of a new account; fails on a taken username (UNIQUE). */
export function insertAccountStmt(a: NewAccount, opts: { ifUsernameFree?: boolean } = {}): Stmt {
  return stmt(
    `INSERT INTO accounts (id, town_id, role, unit_id, username, display_name, password_hash, password_salt, password_iterations, status, created_at, created_by, region_id)` +
      ` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` +
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
    a.region_id ?? null,
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

/** Notes a successful sign-in on the account (the console's "last sign-in"). */
export const noteLoginStmt = (accountId: string, at: string): Stmt => stmt(`UPDATE accounts SET last_login_at = ? WHERE id = ?`, at, accountId);

/** Failures counted against a rule now: within its window (and, per username, since the last success). */
const failureCount = (r: ThrottleRule, now: number): Stmt =>
  stmt(
    `(SELECT COUNT(*) FROM login_attempts WHERE key = ? AND ok = 0 AND at > ?` +
      (r.resetOnSuccess ? ` AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE key = ? AND ok = 1), '')` : '') +
      `)`,
    ...(r.resetOnSuccess ? [r.key, new Date(now - r.windowMs).toISOString(), r.key] : [r.key, new Date(now - r.windowMs).toISOString()]),
  );

/**
 * Reserves one sign-in attempt, counted as a failure until `settleAttemptStmt` says otherwise: one
 * row per rule, inserted only while EVERY rule is under its limit. The check and the insert are one
 * statement (the rest follow on `changes()`), so parallel attempts cannot all pass a count read
 * before any of them was written. Run the result as one batch; each statement RETURNs the row id,
 * and the first statement changing nothing means throttled.
 */
export function reserveAttemptStmts(rules: ThrottleRule[], at: string, now: number): Stmt[] {
  const under = rules.map((r) => failureCount(r, now));
  return rules.map((r, i) =>
    i === 0
      ? stmt(
          `INSERT INTO login_attempts (key, at, ok) SELECT ?, ?, 0 WHERE ${under.map((u) => `${u.sql} < ?`).join(' AND ')} RETURNING id`,
          r.key,
          at,
          ...under.flatMap((u, j) => [...u.params, rules[j]!.limit]),
        )
      : stmt(`INSERT INTO login_attempts (key, at, ok) SELECT ?, ?, 0 WHERE changes() = 1 RETURNING id`, r.key, at),
  );
}

/** A reserved attempt that signed in: no longer a failure (and, per username, the count starts afresh). */
export const settleAttemptStmt = (ids: number[]): Stmt => stmt(`UPDATE login_attempts SET ok = 1 WHERE id IN (${ids.map(() => '?').join(', ') || 'NULL'})`, ...ids);

/** Records one login attempt under a throttling key (`user:<name>` or `ip:<addr>`). */
export const loginAttemptStmt = (key: string, at: string, ok: boolean): Stmt =>
  stmt(`INSERT INTO login_attempts (key, at, ok) VALUES (?, ?, ?)`, key, at, ok ? 1 : 0);

/** Forgets these keys' attempts older than `before` (keeps the table small; uses the (key, at) index). */
export const pruneLoginAttemptsStmt = (keys: string[], before: string): Stmt =>
  stmt(`DELETE FROM login_attempts WHERE key IN (${keys.map(() => '?').join(', ')}) AND at < ?`, ...keys, before);

// ---------------------------------------------------------------- account lifecycle

/** The audit action of each lifecycle step. */
export const ACCOUNT_ACTION_AUDIT = {
  disable: 'account.disable',
  enable: 'account.enable',
  reset: 'account.reset',
  reissue: 'account.reissue_activation',
} as const satisfies Record<AccountAction, string>;

/** A new activation link's hash and expiry, for `reset` and `reissue`. */
export interface NewActivation {
  tokenHash: string;
  expiresAt: string;
}

/**
 * One lifecycle step as one batch: the state change (conditional on the state it starts from, so
 * the first statement changing nothing means someone else changed the account first), its audit
 * row (only if it changed), and what follows from it — every session ended (disable, reset), earlier
 * unused activation links voided and a new one issued (reset, reissue).
 */
export function accountActionStmts(action: AccountAction, target: AccountRow, actor: string, at: string, link: NewActivation | null): Stmt[] {
  const from = ACTION_FROM[action].map((s) => `'${s}'`).join(', ');
  const change =
    action === 'disable' ? stmt(`UPDATE accounts SET status = 'disabled' WHERE id = ? AND status IN (${from})`, target.id)
    : action === 'enable' ? stmt(`UPDATE accounts SET status = CASE WHEN password_hash IS NULL THEN 'pending' ELSE 'active' END WHERE id = ? AND status IN (${from})`, target.id)
    : action === 'reset'
      ? stmt(`UPDATE accounts SET status = 'pending', password_hash = NULL, password_salt = NULL, password_iterations = NULL WHERE id = ? AND status IN (${from})`, target.id)
      : stmt(`UPDATE accounts SET status = 'pending' WHERE id = ? AND status IN (${from})`, target.id);
  const out: Stmt[] = [
    change,
    auditStmt(
      {
        at,
        actor,
        action: ACCOUNT_ACTION_AUDIT[action],
        town_id: target.town_id,
        unit_id: target.unit_id,
        entity: 'account',
        entity_id: target.id,
        detail: { username: target.username, role: target.role, ...(target.region_id ? { region: target.region_id } : {}), from: target.status, ...(link ? { activation_expires_at: link.expiresAt } : {}) },
      },
      { onlyIfChanged: true },
    ),
  ];
  if (action === 'disable' || action === 'reset') out.push(stmt(`UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ?`, at, target.id, at));
  if (action !== 'enable') out.push(stmt(`UPDATE activation_tokens SET expires_at = ? WHERE account_id = ? AND used_at IS NULL AND expires_at > ?`, at, target.id, at));
  if (link && (action === 'reset' || action === 'reissue')) {
    out.push(
      stmt(
        `INSERT INTO activation_tokens (token_hash, account_id, created_at, expires_at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM accounts WHERE id = ? AND status = 'pending')`,
        link.tokenHash,
        target.id,
        at,
        link.expiresAt,
        target.id,
      ),
    );
  }
  return out;
}

/** One account by id (CLI: by username), without secrets. */
export const accountByStmt = (by: 'id' | 'username', value: string): Stmt => stmt(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${by} = ?`, value);

/** One account by id, without secrets; null when there is none. */
export async function readAccount(db: D1Database, id: string): Promise<AccountRow | null> {
  return bind(db, accountByStmt('id', id)).first<AccountRow>();
}

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

/** The region a region supervisor account is bound to, if it exists (content/regions.yaml, loaded). */
export const regionExistsStmt = (region: string): Stmt => stmt(`SELECT id FROM regions WHERE id = ?`, region);

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
      `SELECT a.id, a.username, a.display_name, a.role, a.town_id, a.unit_id, a.region_id FROM sessions s JOIN accounts a ON a.id = s.account_id` +
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

/** A region's supervisor accounts, without secrets, by username. */
export async function listRegionAccounts(db: D1Database, region: string): Promise<AccountRow[]> {
  return (await bind(db, stmt(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE region_id = ? ORDER BY username`, region)).all<AccountRow>()).results;
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
