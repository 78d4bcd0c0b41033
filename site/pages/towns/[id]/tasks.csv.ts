/** /towns/<id>/tasks.csv — open data (UTF-8 with BOM), generated at build time. */
import type { APIRoute } from 'astro';
import { townPaths } from '../../../lib/data.ts';
import { tableCsv } from '../../../lib/open-data.ts';
import { bundleOf, loadTownData } from '../../../lib/town-data.ts';

export const getStaticPaths = townPaths;
export const GET: APIRoute = async ({ props }) =>
  new Response(tableCsv(await loadTownData(bundleOf(props)), 'tasks'), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
