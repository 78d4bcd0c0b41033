/** /towns/<id>/data.json — the town's targets, tasks and approved progress, rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { liveTown, loadTownData, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const t = await liveTown(params.id!, { all: true });
  if (!t) return notFound();
  return Response.json(await loadTownData(t));
};
