/**
 * The lists of towns (home pages): the query a reader's URL asks for, read from D1 in a bounded
 * number of statements (worker/db/summaries.ts) whatever the number of towns.
 */
import { readPlaces, readTownList, type PlaceCount, type TownFilter, type TownListPage } from '../../worker/db/summaries.ts';
import { db } from './town-data.ts';

/** Towns a page lists. */
export const PAGE_SIZE = 50;

/** The filter and page a URL asks for; anything malformed is ignored (the page shows all). */
export function listQuery(url: URL): { filter: TownFilter; page: number } {
  const text = (k: string) => {
    const v = (url.searchParams.get(k) ?? '').trim();
    return v && v.length <= 40 && !/[\u0000-\u001f]/.test(v) ? v : undefined;
  };
  const page = Number(url.searchParams.get('page') ?? '1');
  return {
    filter: { county: text('county'), city: text('city'), name: text('q') },
    page: Number.isInteger(page) && page >= 1 && page <= 100000 ? page : 1,
  };
}

/** What a home page shows: a page of towns and every place with its number of towns. */
export async function readHome(url: URL): Promise<{ list: TownListPage; places: PlaceCount[]; filter: TownFilter; filtered: boolean }> {
  const { filter, page } = listQuery(url);
  const [list, places] = await Promise.all([readTownList(db(), filter, page, PAGE_SIZE), readPlaces(db())]);
  return { list, places, filter, filtered: !!(filter.county || filter.city || filter.name) };
}

/** The URL of a list page with the same filter. */
export function listUrl(path: string, f: TownFilter, page = 1): string {
  const q = new URLSearchParams();
  if (f.city) q.set('city', f.city);
  if (f.county) q.set('county', f.county);
  if (f.name) q.set('q', f.name);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Consecutive towns of one place (the list is in place order), for headings. */
export function byPlace<T extends { town: { city: { value: string } | null; county: { value: string } | null } }>(towns: T[]): { city: string | null; county: string | null; towns: T[] }[] {
  const out: { city: string | null; county: string | null; towns: T[] }[] = [];
  for (const t of towns) {
    const city = t.town.city?.value ?? null;
    const county = t.town.county?.value ?? null;
    const last = out.at(-1);
    if (last && last.city === city && last.county === county) last.towns.push(t);
    else out.push({ city, county, towns: [t] });
  }
  return out;
}
