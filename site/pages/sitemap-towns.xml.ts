/**
 * /sitemap-towns.xml — the home pages and every town's pages, from D1 at request time (the build
 * holds no town; sitemap-index.xml lists this file). One statement over the towns' ids.
 */
import type { APIRoute } from 'astro';
import { readTownIds } from '../../worker/db/summaries.ts';
import { db } from '../lib/town-data.ts';

export const prerender = false;

const PAGES = (id: string) => [`/towns/${id}/`, `/towns/${id}/progress/`, `/towns/${id}/tasks/`, `/towns/${id}/plan/`, `/towns/${id}/group/`, `/en/towns/${id}/`];

export const GET: APIRoute = async ({ site }) => {
  const ids = await readTownIds(db());
  const urls = ['/', '/en/', '/compare/', ...ids.flatMap((id) => PAGES(encodeURIComponent(id)))].map((p) => new URL(p, site).href);
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.map((u) => `<url><loc>${u.replace(/&/g, '&amp;')}</loc></url>`).join('\n')}
</urlset>
`;
  return new Response(body, { headers: { 'content-type': 'application/xml; charset=utf-8' } });
};
