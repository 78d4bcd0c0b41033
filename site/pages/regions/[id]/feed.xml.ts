/** /regions/<id>/feed.xml — Atom feed of the region's towns' approvals and published bulletins, from D1 at request time. */
import type { APIRoute } from 'astro';
import { readRegion, readRegionFeed } from '../../../../worker/db/regions.ts';
import { zh } from '../../../i18n/zh.ts';
import { regionFeed } from '../../../lib/open-data.ts';
import { db, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params, site }) => {
  const read = await readRegion(db(), params.id!);
  if (!read) return notFound();
  const entries = await readRegionFeed(db(), params.id!);
  const body = regionFeed(read.view.region.id, entries, site!, zh.region.feed_title(read.view.region.name), read.view.updated_at);
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
};
