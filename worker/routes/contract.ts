/**
 * `contract(access, route)`: `createRoute` plus who may call it and every error answer the API's
 * machinery can give for it, so the OpenAPI document lists each status a client can meet.
 *
 * - A non-public route gets the access check as route middleware, which Hono runs before the
 *   route's validators: 401, then 403, and only then 400 / 415 / 422.
 * - Documented from the route's own shape: 400 when it takes parameters, a query, headers or a body
 *   (`validation_failed` naming the field, text that is not Unicode included; `malformed_body`);
 *   404 when it has path parameters; 413 and 415 for a JSON body; 304 when it revalidates (ETag); 401 and 403 from the access. The route's own responses (404, 409, 412,
 *   422, 428, 429 …) are declared where it is written, and win over these descriptions.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError, ErrorBody } from '../errors.ts';
import { guard, type Access } from '../auth/middleware.ts';
import { utf8Body } from '../validation.ts';
import { REVALIDATES } from './revalidate.ts';

/**
 * `public`: anyone. `mixed`: anyone, but some objects only for signed-in staff; the handler
 * decides, and 401 / 403 are documented. An `Access`: checked before any input is validated.
 */
export type RouteAccess = 'public' | 'mixed' | Access;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;
const bearer = [{ bearerAuth: [] }];
/** Anonymous or signed in. */
const optionalBearer = [{}, { bearerAuth: [] }];

/**
 * The largest JSON body any route accepts (1 MiB: the longest legitimate one, an inspection with
 * its findings, is a few tens of KB). A larger body is refused with 413 from its Content-Length
 * before a byte of it is read (or, streamed without one, as soon as the count passes the limit).
 * Spreadsheet uploads have their own limit (IMPORT_LIMITS.bytes, 2 MB).
 */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** 413 `body_too_large` for a JSON body over JSON_BODY_LIMIT. */
const jsonBodyLimit = bodyLimit({
  maxSize: JSON_BODY_LIMIT,
  onError: () => {
    throw new ApiError(413, 'body_too_large', `请求正文不能超过 ${JSON_BODY_LIMIT / 1024} KB。`, `The request body must be at most ${JSON_BODY_LIMIT} bytes.`, [
      { path: '(body)', message: `超过 ${JSON_BODY_LIMIT} 字节`, message_en: `over ${JSON_BODY_LIMIT} bytes` },
    ]);
  },
});

/** The error answers the API's own machinery gives this route (before its handler says anything). */
function standardErrors(access: RouteAccess, config: Omit<RouteConfig, 'path'>): Record<number, ReturnType<typeof errorResponse>> {
  const req = config.request;
  const bodyTypes = Object.keys(req?.body?.content ?? {});
  const out: Record<number, ReturnType<typeof errorResponse>> = {};
  if (req?.params || req?.query || req?.headers || bodyTypes.length) {
    out[400] = errorResponse('Invalid request: `validation_failed` names each field (path parameter, query, header or body), text that is not valid Unicode included; `malformed_body` when the body is not JSON');
  }
  // A path parameter names an object that may not exist; left empty, the path is no route at all.
  if (req?.params) out[404] = errorResponse('No such object (`not_found`), or a path parameter left empty (no such path)');
  if (bodyTypes.some((t) => JSON_TYPE.test(t))) {
    out[413] = errorResponse(`The body is larger than ${JSON_BODY_LIMIT} bytes (\`body_too_large\`; refused before it is read)`);
    out[415] = errorResponse('The body is not sent as application/json (`unsupported_media_type`)');
  }
  if (access !== 'public') {
    out[401] = errorResponse('Not signed in, or the session expired or was revoked (`unauthenticated`)');
    if (access === 'mixed' || access.roles.length || access.town) out[403] = errorResponse('Not permitted for this caller (`forbidden`; audited as auth.denied)');
  }
  return out;
}

/**
 * `createRoute` with access and the standard error answers (see the file comment). The route's own
 * `middleware` (e.g. revalidation) runs after the access check, so a refused caller never gets a 304.
 */
export function contract<P extends string, R extends Omit<RouteConfig, 'path' | 'middleware'> & { path: P; middleware?: MiddlewareHandler[] }>(access: RouteAccess, config: R): ReturnType<typeof createRoute<P, R>> {
  const middleware: MiddlewareHandler[] = [];
  if (access !== 'public' && access !== 'mixed') middleware.push(guard(access));
  if (Object.keys(config.request?.body?.content ?? {}).some((t) => JSON_TYPE.test(t))) middleware.push(jsonBodyLimit, utf8Body);
  middleware.push(...(config.middleware ?? []));
  // A revalidating route answers a matching If-None-Match with a bodiless 304.
  const notModified = (config.middleware ?? []).some((m) => REVALIDATES in m)
    ? { 304: { description: 'Not modified: If-None-Match matched the current ETag (no body)', headers: { ETag: { schema: { type: 'string' as const }, description: 'The current ETag' } } } }
    : {};
  const responses = { ...standardErrors(access, config), ...notModified, ...config.responses };
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return createRoute({
    ...config,
    ...(access !== 'public' && !config.security ? { security: access === 'mixed' ? optionalBearer : bearer } : {}),
    ...(middleware.length ? { middleware } : {}),
    responses: sorted,
  }) as unknown as ReturnType<typeof createRoute<P, R>>;
}
