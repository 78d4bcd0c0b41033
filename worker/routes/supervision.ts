/**
 * Supervision views (督导): the overdue board, unit rankings, indicator statuses by milestone and
 * the daily overdue snapshots — each "as of" a date, computed from the approved-update history.
 * Readable by the town's supervisors and office, and by admins; never by reporters or the public.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { ErrorBody, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { townCaller } from '../auth/middleware.ts';
import type { Role } from '../auth/context.ts';
import { readSnapshots, readViews } from '../db/supervision.ts';
import { TaskStatus } from '../domain/plan-view.ts';
import { cstDate, INDICATOR_STATUSES, isCalendarDate } from '../domain/supervision.ts';
import { indicatorBoard, overdueBoard, unitStandings } from '../domain/supervision-views.ts';

export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
export const err = (description: string) => json(ErrorBody, description);
export const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
export const TownParam = z.object({ town: Slug.openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }) });

/** A calendar date YYYY-MM-DD (China Standard Time day). */
export const DateParam = z.string().refine(isCalendarDate, { message: '日期格式应为 YYYY-MM-DD / date must be a real YYYY-MM-DD' });

const AsOfQuery = {
  asOf: DateParam.optional().openapi({ description: 'Show the state as known at the end of this day (China Standard Time); default today', example: '2019-01-01' }),
  window_days: z.coerce.number().int().min(0).max(366).default(30).openapi({ description: 'At-risk window in days' }),
  stale_days: z.coerce.number().int().min(1).max(3660).default(30).openapi({ description: 'Stale after this many days without an approved update' }),
};

/** Today in China Standard Time. */
export const todayCst = (): string => cstDate(Date.now());

/** Who reads a town's supervision (board, inspections, bulletins, tasks): its staff, its region's supervisors, admins. */
export const TOWN_READERS: Role[] = ['supervisor', 'office', 'region_supervisor', 'admin'];
/** Who writes there: the town's own supervisors and office, admins (never a region supervisor). */
export const TOWN_STAFF: Role[] = ['supervisor', 'office', 'admin'];

/**
 * The caller, provided they are a supervisor or office member of `town`, or an admin; to `read`,
 * also a region supervisor of one of the town's regions (worker/domain/access.ts).
 */
export async function staffOf(c: Context<AppEnv, any, any>, town: string, mode: 'read' | 'write' = 'write') {
  return townCaller(c, town, ...(mode === 'read' ? TOWN_READERS : TOWN_STAFF));
}

const Approved = z.object({ id: z.string(), status: TaskStatus, percent: z.number(), reviewed_at: z.string() });

export const TaskItemView = z
  .object({
    id: z.string(),
    ref: z.string().openapi({ description: '`<town>:<task>` for the task endpoints' }),
    code: z.string(),
    title: z.string(),
    kind: z.enum(['key_task', 'guarantee', 'deliverable', 'rectification']),
    milestone: z.string().nullable(),
    due: z.string(),
    leaf: z.boolean(),
    status: TaskStatus,
    percent: z.number(),
    rolled_up: z.boolean(),
    overdue_days: z.number().int().nullable(),
    at_risk: z.enum(['blocked', 'behind_schedule']).nullable(),
    elapsed_percent: z.number(),
    stale: z.boolean(),
    days_since_update: z.number().int(),
    units: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['lead', 'support']) })),
    lead_member: z.object({ id: z.string(), name: z.string(), post: z.string().nullable() }).nullable(),
    last_approved: Approved.nullable(),
    inspection: z.string().nullable(),
  })
  .openapi('SupervisionTask');

const UnitRef = z.object({ id: z.string(), name: z.string() });
const Options = z.object({ window_days: z.number(), stale_days: z.number() });

const OverdueView = z.object({
  town: z.string(),
  as_of: z.string(),
  options: Options,
  counts: z.object({ tasks: z.number(), overdue: z.number(), at_risk: z.number(), stale: z.number() }),
  groups: z.array(z.object({ unit: UnitRef, overdue: z.array(TaskItemView), at_risk: z.array(TaskItemView), stale: z.array(TaskItemView) })),
  unassigned: z.array(TaskItemView),
});

const StatusCounts = z.object({ not_started: z.number(), in_progress: z.number(), completed: z.number(), blocked: z.number() });
const UnitsView = z.object({
  town: z.string(),
  as_of: z.string(),
  units: z.array(
    z.object({
      unit: z.string(),
      name: z.string(),
      rank: z.number().int().nullable(),
      total: z.number().int(),
      completed: z.number().int(),
      counts: StatusCounts,
      completion_rate: z.number().nullable(),
      mean_percent: z.number().nullable(),
      overdue: z.number().int(),
      at_risk: z.number().int(),
      stale: z.number().int(),
    }),
  ),
});

const IndicatorStatusEnum = z.enum(INDICATOR_STATUSES);
const IndicatorsView = z.object({
  town: z.string(),
  as_of: z.string(),
  counts: z.object({ met: z.number(), missed: z.number(), unreported: z.number(), on_track: z.number(), behind: z.number(), no_data: z.number() }),
  indicators: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['numeric', 'qualitative']),
      unit: z.string().nullable(),
      baseline: z.object({ value: z.number(), as_of: z.string() }).nullable(),
      targets: z.array(
        z.object({
          milestone: z.string(),
          due: z.string(),
          kind: z.enum(['numeric', 'qualitative']),
          comparator: z.string().nullable(),
          value: z.number().nullable(),
          display: z.string().nullable(),
          text: z.string().nullable(),
          status: IndicatorStatusEnum,
          expected: z.number().nullable(),
          basis: z.string(),
          latest: z.object({ value: z.number(), as_of: z.string(), source: z.string(), approved_at: z.string() }).nullable(),
          delivering: z.array(z.string()),
        }),
      ),
    }),
  ),
});

const overdueRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/overdue',
  summary: 'Overdue board as of a date: overdue, at-risk and stale tasks grouped by responsible unit (supervisor, office, region supervisor, admin)',
  request: {
    params: TownParam,
    query: z.object({
      ...AsOfQuery,
      unit: Slug.optional(),
      milestone: Slug.optional(),
      status: TaskStatus.optional(),
      kind: z.enum(['plan', 'rectification']).optional(),
      parents: z.enum(['true', 'false']).default('false').openapi({ description: 'Also list parent tasks (rolled up from their children)' }),
    }),
  },
  responses: { 200: json(OverdueView, 'The board'), 400: err('Invalid query'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town') },
});

const unitsRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/units',
  summary: "Each unit's completion rate and counts by status as of a date, ranked (supervisor, office, region supervisor, admin)",
  request: { params: TownParam, query: z.object(AsOfQuery) },
  responses: { 200: json(UnitsView, 'Units ranked'), 400: err('Invalid query'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town') },
});

const indicatorsRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/indicators',
  summary: 'Status of every indicator at every milestone as of a date: met, missed, unreported (milestone passed, no report on the open tasks), on_track, behind, no_data (supervisor, office, region supervisor, admin)',
  request: { params: TownParam, query: z.object(AsOfQuery) },
  responses: { 200: json(IndicatorsView, 'Indicators'), 400: err('Invalid query'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such town') },
});

const snapshotsRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/overdue-snapshots',
  summary: 'Daily overdue counts per unit recorded by the Cron Trigger, for trend charts (supervisor, office, region supervisor, admin)',
  request: { params: TownParam, query: z.object({ from: DateParam, to: DateParam }) },
  responses: {
    200: json(
      z.object({ town: z.string(), snapshots: z.array(z.object({ day: z.string(), unit: z.string(), overdue: z.number(), at_risk: z.number(), stale: z.number(), tasks: z.number() })) }),
      'Snapshots',
    ),
    400: err('Invalid query'),
    401: err('Not signed in'),
    403: err('Not permitted'),
  },
});

async function views(c: Context<AppEnv, any, any>, town: string, q: { asOf?: string; window_days: number; stale_days: number }) {
  await staffOf(c, town, 'read');
  const asOf = q.asOf ?? todayCst();
  const v = await readViews(c.env.DB, town, asOf, { windowDays: q.window_days, staleDays: q.stale_days });
  if (!v) throw notFound('Town', '乡镇', town);
  return { ...v, asOf };
}

/** Mounted at /api/v1. */
export const supervision = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(overdueRoute, async (c) => {
    const { town } = c.req.valid('param');
    const q = c.req.valid('query');
    const { facts, items, asOf } = await views(c, town, q);
    const board = overdueBoard(items, facts.units, { unit: q.unit, milestone: q.milestone, status: q.status, kind: q.kind, parents: q.parents === 'true' });
    return c.json({ town, as_of: asOf, options: { window_days: q.window_days, stale_days: q.stale_days }, ...board }, 200);
  })
  .openapi(unitsRoute, async (c) => {
    const { town } = c.req.valid('param');
    const { facts, items, asOf } = await views(c, town, c.req.valid('query'));
    return c.json({ town, as_of: asOf, units: unitStandings(items, facts.units) }, 200);
  })
  .openapi(indicatorsRoute, async (c) => {
    const { town } = c.req.valid('param');
    const { facts, items, asOf } = await views(c, town, c.req.valid('query'));
    return c.json({ town, as_of: asOf, ...indicatorBoard(facts, items, asOf) }, 200);
  })
  .openapi(snapshotsRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    const q = c.req.valid('query');
    return c.json({ town, snapshots: await readSnapshots(c.env.DB, town, q.from, q.to) }, 200);
  });
