/**
 * A town as the on-demand pages show it, read at request time: the plan's fixed parts from the
 * content collection (profile, milestones, targets, units, group: they change only with content/,
 * which a deploy builds and loads together) and, from D1 through worker/db/public.ts, the task
 * table as the office keeps it now and the approved progress. Only on-demand pages
 * (`prerender = false`) may import this module: it reads the Worker's D1 binding.
 */
import { env } from 'cloudflare:workers';
import { getEntry } from 'astro:content';
import type { TaskDef, TownBundle } from '../../worker/domain/content.ts';
import type { TownPublicData } from '../../worker/domain/public-progress.ts';
import { readPublicTown } from '../../worker/db/public.ts';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { getCatalogue, getTowns } from './data.ts';
import { townData } from './open-data.ts';
import { progressView, type ProgressView } from '../../worker/domain/public-view.ts';

/** The view computed for each town bundle of this request (a page's components share it). */
const views = new WeakMap<TownBundle, ProgressView>();

/** The plan task as the content schema shapes it, from the task table's row. */
function taskDef(x: TownPublicData['tasks'][number]): TaskDef {
  return {
    id: x.id,
    ...(x.parent ? { parent: x.parent } : {}),
    code: x.code,
    kind: x.kind,
    title: x.title,
    quote: x.quote,
    units: x.units,
    units_basis: x.units_basis,
    ...(x.lead_member ? { lead_member: x.lead_member } : {}),
    due: x.due,
    due_basis: x.due_basis,
    weight: x.weight,
    indicators: x.indicators,
  } as TaskDef;
}

/** Approved updates a page lists (the newest); the open-data files carry all of them. */
export const PAGE_UPDATES = 50;

/**
 * The town with its current task table and progress; null when the town is in neither content
 * nor D1. Pages read the newest PAGE_UPDATES approved updates (and each task's latest); the
 * open-data files pass `all`.
 */
export async function liveTown(id: string, opts: { all?: boolean } = {}): Promise<TownBundle | null> {
  const entry = await getEntry('towns', id);
  if (!entry) return null;
  const data = await readPublicTown((env as { DB: D1Database }).DB, id, new Date(), opts.all ? undefined : PAGE_UPDATES);
  if (!data) return null;
  const t: TownBundle = { ...entry.data, tasks: data.tasks.map(taskDef) };
  views.set(t, progressView(t, await getCatalogue(), data));
  return t;
}

/** Every town of the content, live (the home pages). */
export async function liveTowns(): Promise<TownBundle[]> {
  const all = await Promise.all((await getTowns()).map((t) => liveTown(t.town.id)));
  return all.filter((t): t is TownBundle => t !== null);
}

/** The progress view of a town returned by liveTown. */
export async function townProgress(t: TownBundle): Promise<ProgressView> {
  const v = views.get(t);
  if (!v) throw new Error(`town ${t.town.id} was not read with liveTown()`);
  return v;
}

export async function loadTownData(t: TownBundle) {
  return townData(t, await getCatalogue(), await townProgress(t));
}

/** A 404 for a town that does not exist (on-demand pages have no getStaticPaths to refuse it). */
export const notFound = (): Response => new Response(null, { status: 404 });
