/**
 * Who is calling, and may they? `authenticate` runs for every /api/* request and sets
 * `c.get('caller')` (or null); routes then call `await requireCaller(c, …roles)` and, for
 * object-level checks, `await denied(c, reason)`.
 *
 * Tokens arrive only as `Authorization: Bearer <token>`; the database is looked up by the token's
 * SHA-256, never by the token itself.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { readSessionCaller } from '../db/accounts.ts';
import type { Caller, Role } from './context.ts';
import { sha256Hex } from './password.ts';

/** Any route's context (whatever its path and input types). */
export type AuthContext = Context<AppEnv, any, any>;

const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]{16,256})$/i;

/** Sets `caller` from a live session (not revoked, not expired, account active), else null. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', null);
  c.set('credentialsRejected', false);
  const header = c.req.header('Authorization')?.trim();
  const m = BEARER.exec(header ?? '');
  if (m) c.set('caller', await readSessionCaller(c.env.DB, await sha256Hex(m[1]!), new Date().toISOString()));
  if (header && !c.get('caller')) c.set('credentialsRejected', true);
  await next();
});

/** 401: no valid session. */
export const unauthenticated = (): ApiError =>
  new ApiError(401, 'unauthenticated', '请先登录（登录已失效或未登录）。', 'Sign in first (no valid session).');

/**
 * The signed-in caller, provided their role is one of `roles` (any role when none are given).
 * Throws 401 `unauthenticated` without a valid session, and 403 `forbidden` (audited as
 * `auth.denied`) for a role not allowed.
 */
export async function requireCaller(c: AuthContext, ...roles: Role[]): Promise<Caller> {
  const caller = c.get('caller') ?? null;
  if (!caller) {
    // A presented token that opens nothing (expired, revoked, forged) is an authentication event;
    // a request with no credentials at all is not (it names no one, and logging it would let
    // anyone grow the append-only log for free).
    if (c.get('credentialsRejected')) {
      await runBatch(c.env.DB, [
        auditStmt({
          at: new Date().toISOString(),
          actor: 'anonymous',
          action: 'auth.session_rejected',
          detail: { method: c.req.method, path: c.req.path },
        }),
      ]);
    }
    throw unauthenticated();
  }
  if (roles.length > 0 && !roles.includes(caller.role)) {
    await denied(c, `role ${caller.role} not in ${roles.join('|')}`);
  }
  return caller;
}

/** Where a denial applies, for the audit row (defaults: the caller's town and unit). */
export interface DeniedScope {
  town_id?: string | null;
  unit_id?: string | null;
  task_id?: string | null;
  entity?: string | null;
  entity_id?: string | null;
}

/**
 * Refuses the request with 403 `forbidden` after appending an `auth.denied` audit row (its own
 * one-statement batch). Always throws; use as `await denied(c, 'not a unit of this task')`
 * (or `throw await denied(…)`). `reason` is for the audit log, in English.
 */
export async function denied(c: AuthContext, reason: string, scope: DeniedScope = {}): Promise<never> {
  const caller = c.get('caller') ?? null;
  await runBatch(c.env.DB, [
    auditStmt({
      at: new Date().toISOString(),
      actor: caller?.id ?? 'anonymous',
      action: 'auth.denied',
      town_id: scope.town_id !== undefined ? scope.town_id : (caller?.town_id ?? null),
      unit_id: scope.unit_id !== undefined ? scope.unit_id : (caller?.unit_id ?? null),
      task_id: scope.task_id ?? null,
      entity: scope.entity ?? null,
      entity_id: scope.entity_id ?? null,
      detail: { method: c.req.method, path: c.req.path, reason, role: caller?.role ?? null },
    }),
  ]);
  throw new ApiError(403, 'forbidden', '没有权限执行此操作。', 'You do not have permission to do this.');
}
