/** /towns/<id>/data.json — the town's targets, tasks and approved progress, rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { liveTown, notFound } from '../../../lib/town-data.ts';
import { townProgress } from '../../../../worker/domain/public-model.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const live = await liveTown(params.id!, { all: true });
  if (!live) return notFound();
  const data = townProgress(live.bundle, live.view);
  return Response.json(data);
};
