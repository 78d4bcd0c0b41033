/** /towns/<id>/tasks.csv — open data (UTF-8 with BOM), rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { tableCsv } from '../../../lib/open-data.ts';
import { liveTown, loadTownData, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params }) => {
  const t = await liveTown(params.id!, { all: true });
  if (!t) return notFound();
  return new Response(tableCsv(await loadTownData(t), 'tasks'), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
};
