/**
 * GET /api/prefs?text=large|normal&contrast=high|normal&return=/path/ — the reading-settings
 * links of every page. Sets the settings cookie and sends the reader back (303), so the
 * settings need neither an account nor script. The Worker then marks each HTML page (site.ts).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { applyPrefs, PREFS_COOKIE, prefsFromCookie, safeReturn } from '../domain/prefs.ts';
import { validationHook } from '../validation.ts';

const route = contract('public', {
  method: 'get',
  path: '/prefs',
  summary: 'Public: set the reading settings (large text, high contrast) and go back to the page',
  request: {
    query: z.object({
      text: z.enum(['large', 'normal']).optional(),
      contrast: z.enum(['high', 'normal']).optional(),
      return: z.string().max(500).optional(),
    }),
  },
  responses: { 303: { description: 'Cookie set; back to the page' } },
});

const YEAR = 365 * 24 * 3600;

export const prefs = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(route, (c) => {
  const q = c.req.valid('query');
  const next = applyPrefs(prefsFromCookie(c.req.header('cookie')), q);
  const secure = new URL(c.req.url).protocol === 'https:' ? '; Secure' : '';
  c.header(
    'Set-Cookie',
    next.length
      ? `${PREFS_COOKIE}=${next.join('.')}; Path=/; Max-Age=${YEAR}; SameSite=Lax; HttpOnly${secure}`
      : `${PREFS_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly${secure}`,
  );
  c.header('Cache-Control', 'no-store');
  return c.redirect(safeReturn(q.return), 303);
});
