/** /towns/<id>/feed.xml — Atom feed of approved updates and published bulletins, rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { zh } from '../../../i18n/zh.ts';
import { atomFeed } from '../../../lib/open-data.ts';
import { liveTown, loadTownData, notFound } from '../../../lib/town-data.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params, site }) => {
  const t = await liveTown(params.id!, { all: true });
  if (!t) return notFound();
  const title = new Map(t.tasks.map((x) => [x.id, x.title]));
  const body = atomFeed(await loadTownData(t), site!, zh.progress.feed_title(t.town.name), (id) => title.get(id) ?? id);
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
};
