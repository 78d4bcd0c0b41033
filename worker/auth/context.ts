/**
 * Who is calling: the contract between authentication (routes/auth.ts, auth/middleware.ts)
 * and every route that checks permissions on objects.
 */
import { z } from 'zod';

/**
 * Roles: reporter (one unit's tasks), office (领导小组办公室), supervisor (督导, read-only + inspections),
 * region_supervisor (a county's or city's 督导: reads every town of its region, writes nothing in a
 * town, issues region bulletins; worker/domain/access.ts), admin.
 */
export const Role = z.enum(['reporter', 'office', 'supervisor', 'region_supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/** The authenticated caller, set on the Hono context as `account` by the auth middleware. */
export interface Caller {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  /** null only for admin and region_supervisor */
  town_id: string | null;
  /** the region (county or city) of a region_supervisor; null for every other role */
  region_id: string | null;
  /** the reporter's unit; a supervisor's or office member's own unit where known */
  unit_id: string | null;
  /** hash of the session token, for logout */
  session: string;
}

/** Hono variables set by the auth middleware. */
export type AuthVars = {
  caller: Caller | null;
  /** true when the request presented credentials that matched no live session (expired, revoked, malformed) */
  credentialsRejected: boolean;
  /** true once this request's rejected credentials were considered for the audit log (one row per request at most) */
  rejectionRecorded: boolean;
};
