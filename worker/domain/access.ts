/**
 * Who reaches which town and which region: the one rule every route applies (through
 * worker/auth/middleware.ts `townReach` / `regionReach`). Pure; the caller's region membership of
 * a town comes from towns.county_region_id / city_region_id (migration 0016).
 *
 * - admin: every town and region.
 * - reporter, office, supervisor: their own town only (what they may do there is their role's).
 * - region_supervisor: reads every town whose county or city is its region (a city's supervisor
 *   covers the towns of all its counties), and the region endpoints of its own region (and, for a
 *   city, of its counties); writes nothing in a town.
 */

/** The part of a caller the rule needs. */
export interface Reacher {
  role: 'reporter' | 'office' | 'supervisor' | 'region_supervisor' | 'admin';
  town_id: string | null;
  region_id: string | null;
}

/** How a caller reaches a town: `admin`, `member` (its own town), `region` (read only, through its region), or null (not at all). */
export type TownReach = 'admin' | 'member' | 'region' | null;

/** How `caller` reaches town `town`, given the ids of the regions (county, city) the town belongs to. */
export function townReach(caller: Reacher, town: string, townRegions: readonly string[]): TownReach {
  if (caller.role === 'admin') return 'admin';
  if (caller.role === 'region_supervisor') return caller.region_id !== null && townRegions.includes(caller.region_id) ? 'region' : null;
  return caller.town_id !== null && caller.town_id === town ? 'member' : null;
}

/** How a caller reaches a region's supervision endpoints: `own` (its region: read and write), `city` (a county of its city: read only), or null. */
export type RegionReach = 'admin' | 'own' | 'city' | null;

/** How `caller` reaches region `region` (whose city, for a county, is `cityOf`). Town accounts reach no region endpoint. */
export function regionReach(caller: Reacher, region: string, cityOf: string | null): RegionReach {
  if (caller.role === 'admin') return 'admin';
  if (caller.role !== 'region_supervisor' || caller.region_id === null) return null;
  if (caller.region_id === region) return 'own';
  return cityOf !== null && cityOf === caller.region_id ? 'city' : null;
}
