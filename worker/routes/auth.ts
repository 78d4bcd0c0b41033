/**
 * Sign-in, sessions, activation and account management. Mounted at /api/v1.
 *
 * Every write goes to D1 in ONE batch together with its audit row: a login (session + attempt
 * + `auth.login`), a failed login (attempts + `auth.login_failed`), a throttled login
 * (`auth.throttled`), a logout (`auth.logout`), an activation (`auth.activate`), an account
 * created (`account.create`). Refusals for lack of permission are audited as `auth.denied`.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import { myTasksAnswer } from './updates.ts';
import { planAnswer } from './towns.ts';
import { PlanView } from '../domain/plan-view.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, ErrorBody, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { Role } from '../auth/context.ts';
import type { AuditEntry } from '../db/audit.ts';
import { denied, requireCaller } from '../auth/middleware.ts';
import { PBKDF2_ITERATIONS, hashPassword, randomToken, sha256Hex, verifyNothing, verifyPassword } from '../auth/password.ts';
import { auditStmt, cappedAuditStmt } from '../db/audit.ts';
import { addressBucket } from '../auth/address.ts';
import { REJECTED_ROWS_PER_ADDRESS_PER_HOUR, REJECTED_ROWS_PER_HOUR } from '../auth/middleware.ts';
import { runBatch } from '../db/batch.ts';
import {
  ACTIVATION_TTL_MS,
  activateAccountStmt,
  activationPath,
  insertAccountStmt,
  insertActivationStmt,
  insertSessionStmt,
  listTownAccounts,
  noteLoginStmt,
  pruneLoginAttemptsStmt,
  reserveAttemptStmts,
  settleAttemptStmt,
  readActivation,
  readCreateAccountFacts,
  readLoginState,
  revokeSessionStmt,
  setPasswordStmt,
  useActivationStmt,
  type AccountRow,
  type ThrottleRule,
} from '../db/accounts.ts';
import type { Stmt } from '../db/sql.ts';
import { ActivateBody, CreateAccountBody, LoginBody } from '../domain/account.ts';

// ---------------------------------------------------------------- policy

/** A session lasts 12 hours from sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** Failures counted within this window. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** From this many failures for one username (since its last successful sign-in), further attempts get 429. */
export const MAX_FAILURES_PER_USER = 5;
/** From this many failures from one address, further attempts get 429. */
export const MAX_FAILURES_PER_ADDRESS = 20;
/** Login attempts older than this are pruned. */
const ATTEMPT_RETENTION_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------- contracts

const Account = z
  .object({
    id: z.string(),
    username: z.string(),
    display_name: z.string(),
    role: Role,
    town_id: z.string().nullable(),
    unit_id: z.string().nullable(),
    region_id: z.string().nullable().openapi({ description: "A region supervisor's region (county or city); null for every other role" }),
  })
  .openapi('Account');

/** An account as its town's office (or admin) sees it. Exported for the lifecycle routes (routes/accounts.ts). */
export const ManagedAccount = Account.extend({
  status: z.enum(['pending', 'active', 'disabled']).openapi({ description: 'pending: 待激活 (no password yet); active: 正常; disabled: 已停用 (cannot sign in)' }),
  created_at: z.string(),
  created_by: z.string(),
  last_login_at: z.string().nullable().openapi({ description: 'Last successful sign-in; null: never' }),
}).openapi('ManagedAccount');

/**
 * What a sign-in may bring along (`?include=`, comma-separated), so the first screen needs no second
 * round trip on a slow network: me_tasks (GET /me/tasks) and plan (GET /towns/{the account's town}/plan).
 */
const LOGIN_INCLUDES = ['me_tasks', 'plan'] as const;
const LoginInclude = z
  .string()
  .max(40)
  .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
  .pipe(z.array(z.enum(LOGIN_INCLUDES, { message: `include takes: ${LOGIN_INCLUDES.join(', ')}` })));

const LoginResult = z
  .object({
    token: z.string(),
    expires_at: z.string(),
    account: Account,
    included: z
      .object({
        me_tasks: z
          .object({ etag: z.string(), body: z.object({ tasks: z.array(z.record(z.string(), z.unknown())) }) })
          .openapi({ description: 'GET /me/tasks as the new session would get it, with its ETag (send it as If-None-Match later). Only for accounts that have tasks (not admin).' }),
        plan: z
          .object({ etag: z.string(), body: PlanView })
          .openapi({ description: "GET /towns/{town}/plan of the account's town, with its ETag. Only for accounts of a town." }),
      })
      .partial()
      .optional()
      .openapi({ description: 'Present when asked for with `include`.' }),
  })
  .openapi('LoginResult');

const TownParam = z.object({
  town: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }),
});

const CreatedAccount = z
  .object({ account: ManagedAccount, activation_url: z.string(), activation_expires_at: z.string() })
  .openapi('CreatedAccount');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorBody, description);
const bearer = [{ bearerAuth: [] }];

const loginRoute = contract('public', {
  method: 'post',
  path: '/auth/login',
  summary: 'Sign in with username and password; returns a session token (12 h), and with ?include=me_tasks,plan the account’s tasks and its town’s plan',
  request: {
    query: z.object({
      include: LoginInclude.optional().openapi({
        type: 'string',
        example: 'me_tasks,plan',
        description: 'Comma-separated. me_tasks: answer with GET /me/tasks too; plan: with the town’s GET /towns/{town}/plan too (the console’s first screen), saving round trips',
      }),
    }),
    body: { required: true, content: { 'application/json': { schema: LoginBody } } },
  },
  responses: {
    200: json(LoginResult, 'Signed in'),
    400: error('Invalid request'),
    401: error('Wrong username or password (the same answer for both)'),
    403: error('`account_disabled`: the password is right but the account is disabled (told only to whoever knows the password)'),
    429: {
      ...error('Too many failed attempts for this username or address'),
      headers: z.object({ 'Retry-After': z.string().openapi({ description: 'seconds until another attempt is accepted' }) }),
    },
  },
});

const logoutRoute = contract({ roles: [] }, {
  method: 'post',
  path: '/auth/logout',
  summary: 'End the current session',
  security: bearer,
  responses: { 204: { description: 'Signed out' }, 401: error('Not signed in') },
});

const meRoute = contract({ roles: [] }, {
  method: 'get',
  path: '/me',
  summary: 'The signed-in account',
  security: bearer,
  responses: { 200: json(Account, 'The caller'), 401: error('Not signed in') },
});

const activateRoute = contract('public', {
  method: 'post',
  path: '/auth/activate',
  summary: 'Set the password of a new account with its one-time activation token',
  request: { body: { required: true, content: { 'application/json': { schema: ActivateBody } } } },
  responses: {
    200: json(z.object({ account: Account }), 'Activated; sign in with the new password'),
    400: error('Invalid request, or the link is unknown, used or expired'),
  },
});

const createAccountRoute = contract({ roles: ['office', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/accounts',
  summary: "Create an account in a town (the town's office, or admin); returns a one-time activation link",
  security: bearer,
  request: { params: TownParam, body: { required: true, content: { 'application/json': { schema: CreateAccountBody } } } },
  responses: {
    201: json(CreatedAccount, 'Created, pending activation'),
    400: error('Invalid request'),
    401: error('Not signed in'),
    403: error('Not allowed'),
    404: error('No such town'),
    409: error('Username taken'),
  },
});

const listAccountsRoute = contract({ roles: ['office', 'admin'], town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/accounts',
  summary: "A town's accounts (the town's office, or admin); no secrets",
  security: bearer,
  request: { params: TownParam },
  responses: {
    200: json(z.object({ accounts: z.array(ManagedAccount) }), 'Accounts'),
    401: error('Not signed in'),
    403: error('Not allowed'),
    404: error('No such town'),
  },
});

// ---------------------------------------------------------------- handlers

const accountView = (a: AccountRow): z.infer<typeof Account> => ({
  id: a.id,
  username: a.username,
  display_name: a.display_name,
  role: a.role,
  town_id: a.town_id,
  unit_id: a.unit_id,
  region_id: a.region_id ?? null,
});

/** An account row as the API shows it to its managers. */
export const managedView = (a: AccountRow): z.infer<typeof ManagedAccount> => ({
  ...accountView(a),
  status: a.status,
  created_at: a.created_at,
  created_by: a.created_by,
  last_login_at: a.last_login_at ?? null,
});

const fieldError = (path: string, zhMsg: string, en: string): ApiError =>
  new ApiError(400, 'validation_failed', `请求有误，请检查以下字段：${path}`, `Invalid request; check these fields: ${path}`, [
    { path, message: `${zhMsg} / ${en}`, message_en: en },
  ]);

const invalidCredentials = (): ApiError =>
  new ApiError(401, 'invalid_credentials', '用户名或密码不正确。', 'Wrong username or password.');

const invalidActivation = (): ApiError =>
  new ApiError(400, 'activation_invalid', '激活链接无效、已使用或已过期，请联系领导小组办公室重新发放。', 'The activation link is unknown, already used or expired; ask the office for a new one.');

/** The client address for throttling and the log: IPv4, an IPv6 /64, or 'unknown' (auth/address.ts). */
const clientAddress = (h: string | undefined): string => addressBucket(h);

/**
 * An anonymous failure's audit row (a sign-in refused while throttled, an unknown username, a wrong
 * activation link), appended within the same hourly caps as rejected session tokens: per client
 * address and overall, so nobody can grow the log by failing (docs/security.md).
 */
const cappedFailure = (e: Omit<AuditEntry, 'entity' | 'entity_id'>, address: string) =>
  cappedAuditStmt(
    { ...e, entity: 'address', entity_id: address },
    { since: new Date(Date.parse(e.at) - 60 * 60 * 1000).toISOString(), perEntity: REJECTED_ROWS_PER_ADDRESS_PER_HOUR, total: REJECTED_ROWS_PER_HOUR },
  );

/** 403 for a disabled account that gave the right password (and only then: nobody else learns the state). */
const accountDisabled = (): ApiError =>
  new ApiError(403, 'account_disabled', '此账号已停用，不能登录。如需恢复，请联系领导小组办公室。', 'This account is disabled and cannot sign in; ask the office to re-enable it.');

export const auth = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const now = new Date();
    const at = now.toISOString();
    const username = body.username.toLowerCase();
    const ip = clientAddress(c.req.header('CF-Connecting-IP'));
    const rules: ThrottleRule[] = [
      { key: `user:${username}`, limit: MAX_FAILURES_PER_USER, windowMs: THROTTLE_WINDOW_MS, resetOnSuccess: true },
      { key: `ip:${ip}`, limit: MAX_FAILURES_PER_ADDRESS, windowMs: THROTTLE_WINDOW_MS, resetOnSuccess: false },
    ];
    const { account, limitReachedAt } = await readLoginState(c.env.DB, username, rules, now);

    // Throttled: refused before the password is even checked; the refusal itself is not counted.
    const retryAfterOf = (reachedAt: (string | null)[]) => {
      let retry = 0;
      let scope: 'user' | 'ip' | null = null;
      reachedAt.forEach((reached, i) => {
        if (!reached) return;
        const s = Math.ceil((Date.parse(reached) + rules[i]!.windowMs - now.getTime()) / 1000);
        if (s > retry) {
          retry = s;
          scope = i === 0 ? 'user' : 'ip';
        }
      });
      return { retry, scope };
    };
    const throttled = async (retry: number, scope: 'user' | 'ip' | null) => {
      await runBatch(c.env.DB, [
        cappedFailure({ at, actor: account?.id ?? 'anonymous', action: 'auth.throttled', town_id: account?.town_id ?? null, unit_id: account?.unit_id ?? null, detail: { username: username.slice(0, 100), account: account?.id ?? null, ip, scope, retry_after: retry } }, ip),
      ]);
      const minutes = Math.ceil(retry / 60);
      return c.json(
        new ApiError(429, 'too_many_attempts', `登录失败次数过多，请 ${minutes} 分钟后再试。`, `Too many failed sign-in attempts; try again in ${minutes} minute(s).`).body(),
        429,
        { 'Retry-After': String(retry) },
      );
    };
    const first = retryAfterOf(limitReachedAt);
    if (first.retry > 0) return throttled(first.retry, first.scope);

    // Reserve this attempt as a failure, atomically with the count (parallel guesses cannot all pass).
    const prune = pruneLoginAttemptsStmt(
      rules.map((r) => r.key),
      new Date(now.getTime() - ATTEMPT_RETENTION_MS).toISOString(),
    );
    const reserved = await runBatch(c.env.DB, [prune, ...reserveAttemptStmts(rules, at, now.getTime())]);
    const ids = reserved.slice(1).flatMap((r) => (r.results as { id: number }[]).map((x) => x.id));
    if (ids.length < rules.length) {
      const again = retryAfterOf((await readLoginState(c.env.DB, username, rules, now)).limitReachedAt);
      return throttled(Math.max(1, again.retry || Math.ceil(THROTTLE_WINDOW_MS / 1000)), again.scope);
    }

    const ok =
      account?.password_hash && account.password_salt && account.password_iterations
        ? await verifyPassword(body.password, { hash: account.password_hash, salt: account.password_salt, iterations: account.password_iterations })
        : await verifyNothing(body.password);

    if (!account || !ok || account.status !== 'active') {
      // The reserved rows stay as the failures they are.
      const reason = !account ? 'unknown_user' : !ok ? 'wrong_password' : `account_${account.status}`;
      const entry = { at, actor: account?.id ?? 'anonymous', action: 'auth.login_failed', town_id: account?.town_id ?? null, unit_id: account?.unit_id ?? null, detail: { username: username.slice(0, 100), ip, reason } };
      await runBatch(c.env.DB, [account ? auditStmt({ ...entry, entity: 'account', entity_id: account.id }) : cappedFailure(entry, ip)]);
      // A disabled account is told so, but only to whoever knows its password.
      if (account && ok && account.status === 'disabled') throw accountDisabled();
      throw invalidCredentials();
    }

    const token = randomToken();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    const stmts: Stmt[] = [insertSessionStmt(await sha256Hex(token), account.id, at, expiresAt), settleAttemptStmt(ids), noteLoginStmt(account.id, at)];
    // Passwords hashed with another iteration count are re-hashed with the current one.
    if (account.password_iterations !== PBKDF2_ITERATIONS) stmts.push(setPasswordStmt(account.id, await hashPassword(body.password)));
    stmts.push(
      auditStmt({
        at,
        actor: account.id,
        action: 'auth.login',
        town_id: account.town_id,
        unit_id: account.unit_id,
        entity: 'account',
        entity_id: account.id,
        detail: { ip, expires_at: expiresAt },
      }),
    );
    await runBatch(c.env.DB, stmts);
    const include = c.req.valid('query').include ?? [];
    const town = account.town_id;
    const [me_tasks, plan] = await Promise.all([
      include.includes('me_tasks') && account.role !== 'admin' && town ? myTasksAnswer(c.env.DB, account) : undefined,
      include.includes('plan') && town ? planAnswer(c.env.DB, town) : undefined,
    ]);
    const included = { ...(me_tasks ? { me_tasks } : {}), ...(plan ? { plan } : {}) };
    return c.json({ token, expires_at: expiresAt, account: accountView(account), ...(Object.keys(included).length ? { included } : {}) }, 200);
  })
  .openapi(logoutRoute, async (c) => {
    const caller = await requireCaller(c);
    const at = new Date().toISOString();
    await runBatch(c.env.DB, [
      revokeSessionStmt(caller.session, at),
      auditStmt({ at, actor: caller.id, action: 'auth.logout', town_id: caller.town_id, unit_id: caller.unit_id, entity: 'account', entity_id: caller.id }),
    ]);
    return c.body(null, 204);
  })
  .openapi(meRoute, async (c) => {
    const caller = await requireCaller(c);
    return c.json(
      { id: caller.id, username: caller.username, display_name: caller.display_name, role: caller.role, town_id: caller.town_id, unit_id: caller.unit_id, region_id: caller.region_id },
      200,
    );
  })
  .openapi(activateRoute, async (c) => {
    const body = c.req.valid('json');
    const at = new Date().toISOString();
    const tokenHash = await sha256Hex(body.token);
    const account = await readActivation(c.env.DB, tokenHash, at);
    if (!account) {
      await runBatch(c.env.DB, [
        cappedFailure({ at, actor: 'anonymous', action: 'auth.activation_failed', detail: { reason: 'unknown_used_or_expired' } }, clientAddress(c.req.header('CF-Connecting-IP'))),
      ]);
      throw invalidActivation();
    }
    const pw = await hashPassword(body.password);
    const [activated] = await runBatch(c.env.DB, [
      activateAccountStmt(account.id, pw, tokenHash, at),
      useActivationStmt(tokenHash, at),
      // The token is marked used only if this batch activated the account: the audit row follows suit.
      auditStmt({ at, actor: account.id, action: 'auth.activate', town_id: account.town_id, unit_id: account.unit_id, entity: 'account', entity_id: account.id }, { onlyIfChanged: true }),
    ]);
    // A concurrent activation with the same link won the race: nothing was changed by this one.
    if (activated!.meta.changes !== 1) {
      await runBatch(c.env.DB, [
        auditStmt({ at, actor: account.id, action: 'auth.activation_failed', town_id: account.town_id, unit_id: account.unit_id, entity: 'account', entity_id: account.id, detail: { reason: 'lost_race' } }),
      ]);
      throw invalidActivation();
    }
    return c.json({ account: accountView(account) }, 200);
  })
  .openapi(createAccountRoute, async (c) => {
    const { town } = c.req.valid('param');
    const body = c.req.valid('json');
    const caller = await requireCaller(c, 'office', 'admin');
    if (caller.role === 'office' && caller.town_id !== town) {
      await denied(c, 'office may create accounts only in its own town', { town_id: town, entity: 'account' });
    }
    const unit = body.unit_id ?? null;
    const facts = await readCreateAccountFacts(c.env.DB, town, unit, body.username);
    if (!facts.town) throw notFound('Town', '乡镇', town);
    if (body.role === 'reporter' && !unit) throw fieldError('unit_id', '填报员必须属于一个责任单位', 'a reporter belongs to one responsible unit');
    if (unit && !facts.unit) throw fieldError('unit_id', `本镇没有这个责任单位：${unit}`, `no such unit in this town: ${unit}`);
    if (facts.usernameTaken) throw usernameTaken(body.username);

    const at = new Date().toISOString();
    const id = crypto.randomUUID();
    const token = randomToken();
    const expiresAt = new Date(Date.now() + ACTIVATION_TTL_MS).toISOString();
    const row: AccountRow = {
      id,
      username: body.username,
      display_name: body.display_name,
      role: body.role,
      town_id: town,
      unit_id: unit,
      region_id: null,
      status: 'pending',
      created_at: at,
      created_by: caller.id,
      last_login_at: null,
    };
    try {
      await runBatch(c.env.DB, [
        insertAccountStmt({ ...row, status: 'pending', password: null }),
        insertActivationStmt(await sha256Hex(token), id, at, expiresAt),
        auditStmt({
          at,
          actor: caller.id,
          action: 'account.create',
          town_id: town,
          unit_id: unit,
          entity: 'account',
          entity_id: id,
          detail: { username: body.username, role: body.role, activation_expires_at: expiresAt },
        }),
      ]);
    } catch (e) {
      // Two offices creating the same username at once: the second loses on UNIQUE.
      if (/UNIQUE constraint failed: accounts\.username/.test(String((e as Error)?.message ?? e))) throw usernameTaken(body.username);
      throw e;
    }
    return c.json({ account: managedView(row), activation_url: activationPath(token), activation_expires_at: expiresAt }, 201);
  })
  .openapi(listAccountsRoute, async (c) => {
    const { town } = c.req.valid('param');
    const caller = await requireCaller(c, 'office', 'admin');
    if (caller.role === 'office' && caller.town_id !== town) {
      await denied(c, 'office may list accounts only of its own town', { town_id: town, entity: 'account' });
    }
    const rows = await listTownAccounts(c.env.DB, town);
    if (!rows) throw notFound('Town', '乡镇', town);
    return c.json({ accounts: rows.map(managedView) }, 200);
  });

auth.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'The session token from POST /auth/login',
});

function usernameTaken(username: string): ApiError {
  return new ApiError(409, 'username_taken', `用户名已被使用：${username}`, `Username already taken: ${username}`, [
    { path: 'username', message: `用户名已被使用 / username already taken`, message_en: 'username already taken' },
  ]);
}
