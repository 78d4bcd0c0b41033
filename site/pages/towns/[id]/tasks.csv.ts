/** /towns/<id>/tasks.csv — open data (UTF-8 with BOM), rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { tableCsv } from '../../../lib/open-data.ts';
import { liveTown, notFound } from '../../../lib/town-data.ts';
import { townProgress } from '../../../../worker/domain/public-model.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const live = await liveTown(params.id!, { all: true });
  if (!live) return notFound();
  const data = townProgress(live.bundle, live.view);
  return new Response(tableCsv(data, 'tasks'), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
};
