/** /towns/<id>/feed.xml — Atom feed of approved updates and published bulletins, rendered from D1 at request time. */
import type { APIRoute } from 'astro';
import { zh } from '../../../i18n/zh.ts';
import { atomFeed } from '../../../lib/open-data.ts';
import { liveTown, notFound } from '../../../lib/town-data.ts';
import { townProgress } from '../../../../worker/domain/public-model.ts';

export const prerender = false;
export const GET: APIRoute = async ({ params, site }) => {
  const live = await liveTown(params.id!, { all: true });
  if (!live) return notFound();
  const t = live.bundle;
  const data = townProgress(t, live.view);
  const title = new Map(t.tasks.map((x) => [x.id, x.title]));
  const body = atomFeed(data, site!, zh.progress.feed_title(t.town.name), (id) => title.get(id) ?? id);
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
};
