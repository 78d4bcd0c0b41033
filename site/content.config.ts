/**
 * Content collections for the public site.
 *
 * All three collections are filled from worker/content/read.ts (which reads and checks
 * content/ as a whole, including cross-references) and validated again by Astro against
 * the same zod schemas the worker and the tests use (worker/domain/content.ts).
 */
import { defineCollection } from 'astro:content';
import { z } from 'zod';
import type { Loader } from 'astro/loaders';
import { resolve } from 'node:path';
import { readContent } from '../worker/content/read.ts';
import { IndicatorDef, Jurisdiction, TownBundle, type ContentBundle } from '../worker/domain/content.ts';

let bundle: ContentBundle | undefined;
/**
 * content/ is read once per build and shared by the three loaders. CONTENT_DIR selects another
 * folder (the benchmark builds synthetic towns from bench/data/; the default is content/).
 */
function content(): ContentBundle {
  bundle ??= readContent(process.env.CONTENT_DIR ? resolve(process.env.CONTENT_DIR) : undefined);
  return bundle;
}

/** One entry per town: the whole TownBundle, with plan.md rendered to HTML. */
const townsLoader: Loader = {
  name: 'towns-loader',
  async load({ store, parseData, renderMarkdown, generateDigest }) {
    store.clear();
    for (const t of content().towns) {
      const id = t.town.id;
      const data = await parseData({ id, data: t as unknown as Record<string, unknown> });
      const rendered = await renderMarkdown(t.plan_markdown);
      store.set({ id, data, body: t.plan_markdown, rendered, digest: generateDigest(data) });
    }
  },
};

/** One entry per jurisdiction (content/jurisdictions/<id>.yaml). */
const jurisdictionsLoader: Loader = {
  name: 'jurisdictions-loader',
  async load({ store, parseData, generateDigest }) {
    store.clear();
    for (const j of content().jurisdictions) {
      const data = await parseData({ id: j.id, data: j as unknown as Record<string, unknown> });
      store.set({ id: j.id, data, digest: generateDigest(data) });
    }
  },
};

/**
 * A catalogue indicator and its position in content/indicators.yaml: the content store keeps
 * entries sorted by id, and the pages list indicators in catalogue order.
 */
const CatalogueEntry = IndicatorDef.extend({ order: z.number().int().nonnegative() });

/** One entry per catalogue indicator (content/indicators.yaml). */
const indicatorsLoader: Loader = {
  name: 'indicators-loader',
  async load({ store, parseData, generateDigest }) {
    store.clear();
    for (const [order, ind] of content().indicators.entries()) {
      const data = await parseData({ id: ind.id, data: { ...ind, order } });
      store.set({ id: ind.id, data, digest: generateDigest(data) });
    }
  },
};

export const collections = {
  towns: defineCollection({ loader: townsLoader, schema: TownBundle }),
  jurisdictions: defineCollection({ loader: jurisdictionsLoader, schema: Jurisdiction }),
  indicators: defineCollection({ loader: indicatorsLoader, schema: CatalogueEntry }),
};
