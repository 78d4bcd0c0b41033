/** Public search across every town's plan text, task titles and targets (answered from D1). */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { searchAll } from '../db/search.ts';
import { SEARCH_MAX_CHARS, SEARCH_PAGE, SEARCH_PAGE_MAX, SearchResults } from '../domain/search.ts';
import { validationHook } from '../validation.ts';

/** The query string of a search (the public page /search/ reads the same fields). */
export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, { message: '请输入要查找的字词 / enter the words to search for' })
    .max(SEARCH_MAX_CHARS, { message: `查找的字词不能超过 ${SEARCH_MAX_CHARS} 个字 / at most ${SEARCH_MAX_CHARS} characters` })
    .openapi({ description: 'Words to find: any length, Chinese or not; spaces and punctuation separate words, and every word must occur', example: '签约' }),
  town: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .optional()
    .openapi({ description: 'Only this town', example: 'fengmao' }),
  limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).default(SEARCH_PAGE),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
});

const searchRoute = contract('public', {
  method: 'get',
  path: '/search',
  summary: "Search every town's plan text (by paragraph), task titles and targets; best matches first, each with a link and a marked snippet",
  request: { query: SearchQuery },
  responses: { 200: { description: 'One page of results', content: { 'application/json': { schema: SearchResults } } } },
});

/** Mounted at /api/v1. */
export const search = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(searchRoute, async (c) => {
  const { q, town, limit, offset } = c.req.valid('query');
  return c.json(await searchAll(c.env.DB, q, { town, limit, offset }), 200);
});
