/**
 * A town's progress view and open data for the pages and endpoints, computed once per town and
 * build (a town has eleven pages and files that all show the same view).
 */
import type { TownBundle } from '../../worker/domain/content.ts';
import { getCatalogue } from './data.ts';
import { townData } from './open-data.ts';
import { progressView, type ProgressView } from './progress.ts';
import { readSnapshot } from './snapshot.ts';

const views = new Map<string, ProgressView>();

/** The town's progress view (content + snapshot), memoised per build. */
export async function townProgress(t: TownBundle): Promise<ProgressView> {
  let v = views.get(t.town.id);
  if (!v) {
    v = progressView(t, await getCatalogue(), readSnapshot(t.town.id));
    views.set(t.town.id, v);
  }
  return v;
}

export async function loadTownData(t: TownBundle) {
  return townData(t, await getCatalogue(), await townProgress(t));
}

/** The town bundle of an endpoint's props (set by townPaths). */
export const bundleOf = (props: Record<string, unknown>): TownBundle => (props as { entry: { data: TownBundle } }).entry.data;
