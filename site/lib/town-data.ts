/**
 * The on-demand pages' one way to the database: everything a public page shows is read from D1
 * at request time through worker/db (the plan as the content loader wrote it, the task table as
 * the office keeps it, the approved progress) and judged by worker/domain. The Worker bundle holds
 * no town. Only on-demand pages (`prerender = false`) may import this module: it reads the
 * Worker's D1 binding.
 */
import { env } from 'cloudflare:workers';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { readTown, type TownRead, type ValuesRead } from '../../worker/db/public.ts';

export type { TownRead };

/** The Worker's D1 binding. */
export const db = (): D1Database => (env as { DB: D1Database }).DB;

/** Approved updates a page lists (the newest); the open-data files carry all of them. */
export const PAGE_UPDATES = 50;

/**
 * The town with its plan, current task table and progress; null when there is no such town.
 * Pages read the newest PAGE_UPDATES approved updates (and each task's latest), the plan and group
 * pages none (`updates: 0`); the open-data files pass `all`. Pages read only the indicator values
 * their verdicts rest on (a bounded number at any length of history); `all` and `values: 'all'`
 * (a target's page, which charts every value) read every one.
 */
export function liveTown(id: string, opts: { all?: boolean; updates?: number; values?: ValuesRead } = {}): Promise<TownRead | null> {
  return readTown(db(), id, new Date(), opts.all ? undefined : (opts.updates ?? PAGE_UPDATES), opts.all ? 'all' : (opts.values ?? 'shown'));
}

/** A 404 for a town that does not exist (on-demand pages have no getStaticPaths to refuse it). */
export const notFound = (): Response => new Response(null, { status: 404 });
