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
import { auditStmt, cappedAuditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { readSessionCaller } from '../db/accounts.ts';
import type { Caller, Role } from './context.ts';
import { regionReach, townReach, type RegionReach, type TownReach } from '../domain/access.ts';
import { townRegionIds } from '../db/regions.ts';
import { readRegionCity } from '../db/region-supervision.ts';
import { sha256Hex } from './password.ts';
import { addressBucket } from './address.ts';

/** Any route's context (whatever its path and input types). */
export type AuthContext = Context<AppEnv, any, any>;

const BEARER = /^Bearer[ ]+([A-Za-z0-9_-]{16,256})$/i;

/** Sets `caller` from a live session (not revoked, not expired, account active), else null. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', null);
  c.set('credentialsRejected', false);
  c.set('rejectionRecorded', false);
  const header = c.req.header('Authorization')?.trim();
  const m = BEARER.exec(header ?? '');
  if (m) c.set('caller', await readSessionCaller(c.env.DB, await sha256Hex(m[1]!), new Date().toISOString()));
  if (header && !c.get('caller')) c.set('credentialsRejected', true);
  await next();
});

/** 401: no valid session. */
export const unauthenticated = (): ApiError =>
  new ApiError(401, 'unauthenticated', '请先登录（登录已失效或未登录）。', 'Sign in first (no valid session).');

/** Audit rows for rejected credentials: at most this many per client address (an IPv6 /64 counts as one) per hour. */
export const REJECTED_ROWS_PER_ADDRESS_PER_HOUR = 10;
/** …and at most this many from all addresses together per hour, so rotating addresses does not grow the log either. */
export const REJECTED_ROWS_PER_HOUR = 200;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Records credentials that opened nothing (expired, revoked, forged) as `auth.session_rejected`,
 * cheaply and boundedly: the row holds only what this code chose (method, the route's pattern, the
 * client's address bucket, the first 8 bytes of the SHA-256 of what was presented — enough to match
 * a stored session hash, nothing the caller can make large), and it is appended only within
 * the hourly caps above.
 */
async function recordRejected(c: AuthContext): Promise<void> {
  const presented = c.req.header('Authorization') ?? '';
  const token = /^Bearer[ ]+(\S+)$/i.exec(presented.trim())?.[1] ?? presented;
  const now = Date.now();
  const address = addressBucket(c.req.header('CF-Connecting-IP'));
  await runBatch(c.env.DB, [
    cappedAuditStmt(
      {
        at: new Date(now).toISOString(),
        actor: 'anonymous',
        action: 'auth.session_rejected',
        entity: 'address',
        entity_id: address,
        detail: { method: c.req.method.slice(0, 10), route: c.req.routePath.slice(0, 200), fingerprint: (await sha256Hex(token)).slice(0, 16) },
      },
      { since: new Date(now - HOUR_MS).toISOString(), perEntity: REJECTED_ROWS_PER_ADDRESS_PER_HOUR, total: REJECTED_ROWS_PER_HOUR },
    ),
  ]);
}

/**
 * The signed-in caller, provided their role is one of `roles` (any role when none are given).
 * Throws 401 `unauthenticated` without a valid session, and 403 `forbidden` (audited as
 * `auth.denied`) for a role not allowed.
 */
export async function requireCaller(c: AuthContext, ...roles: Role[]): Promise<Caller> {
  const caller = c.get('caller') ?? null;
  if (!caller) {
    // A presented token that opens nothing is an authentication event, recorded within fixed caps;
    // a request with no credentials at all is not (it names no one).
    if (c.get('credentialsRejected') && !c.get('rejectionRecorded')) {
      c.set('rejectionRecorded', true);
      await recordRejected(c);
    }
    throw unauthenticated();
  }
  if (roles.length > 0 && !roles.includes(caller.role)) {
    await denied(c, `role ${caller.role} not in ${roles.join('|')}`);
  }
  return caller;
}

/** Who may call a route: these roles (any signed-in caller when empty), and optionally only in the town or region named by a path parameter. */
export interface Access {
  roles: Role[];
  /**
   * `town`: the `{town}` parameter; `task`: the town part of a `{task}` reference (`<town>:<task>`).
   * Admins pass; a region supervisor (when its role is listed: read routes only) passes for the towns of its region.
   */
  town?: 'town' | 'task';
  /** `region`: the `{region}` parameter; `own` also refuses a city supervisor on its counties (writes). */
  region?: 'read' | 'own';
}

/** How the caller reaches `town` (worker/domain/access.ts); reads the town's regions only for a region supervisor. */
export async function reachOf(c: AuthContext, caller: Caller, town: string): Promise<TownReach> {
  return townReach(caller, town, caller.role === 'region_supervisor' ? await townRegionIds(c.env.DB, town) : []);
}

/**
 * The caller, provided their role is one of `roles` and they reach `town`: their own town, any town
 * for admin, a town of their region for a region supervisor (list 'region_supervisor' in `roles`
 * only where a supervisor READS). Otherwise 403, audited as `auth.denied`.
 */
export async function townCaller(c: AuthContext, town: string, ...roles: Role[]): Promise<Caller> {
  const caller = await requireCaller(c, ...roles);
  if (!(await reachOf(c, caller, town))) await denied(c, `town ${town} is not the caller's town or in the caller's region`, { town_id: town, entity: 'town', entity_id: town });
  return caller;
}

/**
 * The caller, provided they reach region `region`'s supervision endpoints (admin; its own region's
 * supervisor; for `read`, also a city supervisor on one of its counties). 404 for no such region is
 * the handler's: an unknown region reaches nobody but an admin.
 */
export async function regionCaller(c: AuthContext, region: string, mode: 'read' | 'own'): Promise<{ caller: Caller; reach: RegionReach }> {
  const caller = await requireCaller(c, 'region_supervisor', 'admin');
  const reach = caller.role === 'admin' ? 'admin' : regionReach(caller, region, (await readRegionCity(c.env.DB, region)) ?? null);
  if (!reach || (mode === 'own' && reach === 'city')) await denied(c, `region ${region} is not the caller's region`, { town_id: null, entity: 'region', entity_id: region });
  return { caller, reach };
}

/**
 * Route middleware that runs before the route's validators: authenticate (401), then check the role
 * and the town (403), so a caller who may not use a route learns nothing about its input rules.
 * Checks that need the object itself (a task's units, an update's town) stay in the handler.
 */
export const guard = (access: Access) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const caller = await requireCaller(c, ...access.roles);
    if (access.town && caller.role !== 'admin') {
      const raw = c.req.param(access.town) ?? '';
      const town = (access.town === 'task' ? raw.split(':')[0]! : raw).slice(0, 64);
      if (!(await reachOf(c, caller, town))) await denied(c, `town ${town} is not the caller's town or in the caller's region`, { town_id: town, entity: 'town', entity_id: town });
    }
    if (access.region) await regionCaller(c, (c.req.param('region') ?? '').slice(0, 64), access.region);
    await next();
  });

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
