/**
 * What /search/ and /en/search/ show for a request: the reader's words, the page number and one
 * page of results from D1 (worker/db/search.ts, the same answer as GET /api/v1/search). Only
 * on-demand pages may import this module: it reads the Worker's D1 binding.
 */
import { env } from 'cloudflare:workers';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { searchAll } from '../../worker/db/search.ts';
import { SEARCH_MAX_CHARS, SEARCH_PAGE, type SearchHit, type SearchResults } from '../../worker/domain/search.ts';

/** The last page a reader can reach by the paging links (the count stops at SEARCH_COUNT_CAP). */
const MAX_PAGE = 50;

export interface SearchPageData {
  /** The words as typed (trimmed), '' when the form is shown alone. */
  q: string;
  /** 1-based page number. */
  page: number;
  tooLong: boolean;
  results: SearchResults | null;
  /** The results of this page grouped by town, in order of each town's best result. */
  groups: { town: string; town_name: string; hits: SearchHit[] }[];
  /** Number of pages (0 without results). */
  pages: number;
}

/** Reads ?q= and ?page= and searches. */
export async function searchPage(url: URL): Promise<SearchPageData> {
  const q = (url.searchParams.get('q') ?? '').trim();
  const asked = Number(url.searchParams.get('page') ?? '1');
  const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, MAX_PAGE) : 1;
  const base = { q, page, groups: [], pages: 0 };
  if (!q) return { ...base, tooLong: false, results: null };
  if (Array.from(q).length > SEARCH_MAX_CHARS) return { ...base, tooLong: true, results: null };
  const results = await searchAll((env as { DB: D1Database }).DB, q, { limit: SEARCH_PAGE, offset: (page - 1) * SEARCH_PAGE });
  const groups: SearchPageData['groups'] = [];
  for (const h of results.hits) {
    let g = groups.find((x) => x.town === h.town);
    if (!g) groups.push((g = { town: h.town, town_name: h.town_name, hits: [] }));
    g.hits.push(h);
  }
  return { ...base, tooLong: false, results, groups, pages: Math.min(MAX_PAGE, Math.ceil(results.total / SEARCH_PAGE)) };
}

/** The URL of another page of the same search. */
export const searchPageUrl = (path: string, q: string, page: number): string => `${path}?q=${encodeURIComponent(q)}${page > 1 ? `&page=${page}` : ''}`;
