/** /regions/<id>/towns.csv — the region's table of towns (UTF-8 with BOM), the same fields as the page and data.json. */
import type { APIRoute } from 'astro';
import { readRegion } from '../../../../worker/db/regions.ts';
import { regionTownsCsv } from '../../../lib/open-data.ts';
import { db, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const read = await readRegion(db(), params.id!);
  if (!read) return notFound();
  return new Response(regionTownsCsv(read.view), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
};
