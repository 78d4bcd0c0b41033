/**
 * Reads the content collections (site/content.config.ts) for the pages.
 */
import { getCollection } from 'astro:content';
import type { IndicatorDef, Jurisdiction, TownBundle } from '../../worker/domain/content.ts';

export async function getTowns(): Promise<TownBundle[]> {
  return (await getCollection('towns')).map((e) => e.data);
}

/** The indicator catalogue in the order of content/indicators.yaml. */
export async function getCatalogue(): Promise<IndicatorDef[]> {
  return (await getCollection('indicators'))
    .map((e) => e.data)
    .sort((a, b) => a.order - b.order)
    .map(({ order: _order, ...ind }) => ind);
}

export async function getJurisdictions(): Promise<Jurisdiction[]> {
  return (await getCollection('jurisdictions')).map((e) => e.data);
}

/** getStaticPaths for a town page: one path per town, the bundle as a prop. */
export async function townPaths() {
  return (await getCollection('towns')).map((entry) => ({ params: { id: entry.id }, props: { entry } }));
}
