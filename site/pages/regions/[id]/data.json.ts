/** /regions/<id>/data.json — the region's view (the same object as GET /api/v1/regions/{region}), from D1 at request time. */
import type { APIRoute } from 'astro';
import { readRegion } from '../../../../worker/db/regions.ts';
import { db, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const read = await readRegion(db(), params.id!);
  if (!read) return notFound();
  return Response.json(read.view);
};
