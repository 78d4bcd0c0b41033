/** /towns/<id>/feed.xml — Atom feed of approved updates and published bulletins. */
import type { APIRoute } from 'astro';
import { zh } from '../../../i18n/zh.ts';
import { townPaths } from '../../../lib/data.ts';
import { atomFeed } from '../../../lib/open-data.ts';
import { bundleOf, loadTownData } from '../../../lib/town-data.ts';

export const getStaticPaths = townPaths;
export const GET: APIRoute = async ({ props, site }) => {
  const t = bundleOf(props);
  const title = new Map(t.tasks.map((x) => [x.id, x.title]));
  const body = atomFeed(await loadTownData(t), site!, zh.progress.feed_title(t.town.name), (id) => title.get(id) ?? id);
  return new Response(body, { headers: { 'content-type': 'application/atom+xml; charset=utf-8' } });
};
