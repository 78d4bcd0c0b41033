/** The open data of one town for the endpoints: content + snapshot → TownData. */
import type { TownBundle } from '../../worker/domain/content.ts';
import { getCatalogue } from './data.ts';
import { townData } from './open-data.ts';
import { progressView } from './progress.ts';
import { readSnapshot } from './snapshot.ts';

export async function loadTownData(t: TownBundle) {
  const catalogue = await getCatalogue();
  return townData(t, catalogue, progressView(t, catalogue, readSnapshot(t.town.id)));
}

/** The town bundle of an endpoint's props (set by townPaths). */
export const bundleOf = (props: Record<string, unknown>): TownBundle => (props as { entry: { data: TownBundle } }).entry.data;
