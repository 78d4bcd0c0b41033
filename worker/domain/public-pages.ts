/**
 * Which public URLs show the database (rendered on demand and cached by the Worker) and which of
 * them a change to one town makes stale. Pure functions; the Worker's page cache (worker/site.ts)
 * and the writes that purge it (worker/public-cache.ts) both use them.
 */

/** The open-data files of a town, rendered from D1 like its pages. */
export const OPEN_DATA_FILES = ['data.json', 'tasks.csv', 'targets.csv', 'updates.csv', 'feed.xml'] as const;

/** Pages that list every town (their headline figures change with any town). */
const ALL_TOWNS_PAGES = ['/', '/en/'] as const;

/** The page of one target (an indicator of the town): chart, every dated value, the plan's words. */
export const targetPath = (town: string, indicator: string): string => `/towns/${encodeURIComponent(town)}/targets/${encodeURIComponent(indicator)}/`;

/** The open-data files of a region, rendered from D1 like its page. */
export const REGION_FILES = ['data.json', 'towns.csv', 'feed.xml'] as const;

/** Every URL path of a region's page and files. */
export const regionPaths = (region: string): string[] => {
  const r = encodeURIComponent(region);
  return [`/regions/${r}/`, `/en/regions/${r}/`, ...REGION_FILES.map((f) => `/regions/${r}/${f}`)];
};

/**
 * Every URL path whose content depends on this town's data in D1 (`indicators`: the town's
 * indicator ids; `regions`: the county and city regions it belongs to).
 */
export function townPublicPaths(town: string, indicators: string[] = [], regions: string[] = []): string[] {
  const t = encodeURIComponent(town);
  return [
    ...ALL_TOWNS_PAGES,
    ...regions.flatMap(regionPaths),
    `/towns/${t}/`,
    `/towns/${t}/progress/`,
    `/towns/${t}/tasks/`,
    `/towns/${t}/plan/`,
    `/towns/${t}/group/`,
    `/en/towns/${t}/`,
    ...OPEN_DATA_FILES.map((f) => `/towns/${t}/${f}`),
    ...indicators.map((i) => targetPath(town, i)),
  ];
}

const LIVE = [
  /^\/$/,
  /^\/en\/$/,
  /^\/(en\/)?towns\/[^/]+\/$/,
  /^\/towns\/[^/]+\/(progress|tasks|plan|group)\/$/,
  /^\/compare\/$/,
  /^\/sitemap-towns\.xml$/,
  /^\/(en\/)?regions\/[^/]+\/$/,
  new RegExp(`^/regions/[^/]+/(${REGION_FILES.map((f) => f.replace('.', '\\.')).join('|')})$`),
  /^\/towns\/[^/]+\/targets\/[^/]+\/$/,
  /^\/towns\/[^/]+\/evidence\/[^/]+\/$/,
  new RegExp(`^/towns/[^/]+/(${OPEN_DATA_FILES.map((f) => f.replace('.', '\\.')).join('|')})$`),
];

/** Whether a URL path is rendered on demand from D1 (and cached), rather than a prerendered file. */
export const isLivePath = (path: string): boolean => LIVE.some((re) => re.test(path));

/** The search pages: rendered on demand from D1 for each query, never cached (the answer depends on ?q=). */
export const isSearchPath = (path: string): boolean => /^\/(en\/)?search\/$/.test(path);

/**
 * The slashed form of a page URL that lacks its trailing slash (`/towns/x/progress` →
 * `/towns/x/progress/`); null when the path is already canonical or names a file.
 */
export function slashed(path: string): string | null {
  if (path.endsWith('/')) return null;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.') ? null : `${path}/`;
}
