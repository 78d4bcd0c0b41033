/**
 * The Hono app: middleware, the one error handler, and the API routes under /api.
 * Everything else is the site (worker/site.ts). A successful write purges the cached public
 * pages of the caller's town before it answers (worker/public-cache.ts).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import { authenticate } from './auth/middleware.ts';
import { restoreInProgress } from './db/health.ts';
import { health, ping } from './routes/health.ts';
import { auth } from './routes/auth.ts';
import { accounts } from './routes/accounts.ts';
import { towns } from './routes/towns.ts';
import { regions } from './routes/regions.ts';
import { regionSupervision } from './routes/region-supervision.ts';
import { regionAccounts } from './routes/region-accounts.ts';
import { updates } from './routes/updates.ts';
import { docs } from './routes/docs.ts';
import { prefs } from './routes/prefs.ts';
import { supervision } from './routes/supervision.ts';
import { inspections } from './routes/inspections.ts';
import { bulletins } from './routes/bulletins.ts';
import { tasks } from './routes/tasks.ts';
import { taskTable } from './routes/task-table.ts';
import { planDrafts } from './routes/plan-drafts.ts';
import { search } from './routes/search.ts';
import { files } from './routes/files.ts';
import { storage } from './routes/storage.ts';
import { validationHook } from './validation.ts';
import { purgeAfterWrite } from './public-cache.ts';
import { HSTS } from './transport.ts';

const v1 = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).route('/', ping).route('/', towns).route('/', auth).route('/', accounts).route('/', updates)
  .route('/', supervision)
  .route('/', inspections)
  .route('/', bulletins)
  .route('/', tasks)
  .route('/', taskTable)
  .route('/', regions)
  .route('/', regionSupervision)
  .route('/', regionAccounts)
  .route('/', planDrafts)
  .route('/', search)
  .route('/', files)
  .route('/', storage);
const openApiConfig = {
  openapi: '3.1.0',
  info: { title: '示范镇创建进度 API (Demonstration Town Tracker)', version: '1' },
  servers: [{ url: '/api/v1' }],
};
v1.doc31('/openapi.json', openApiConfig);
const document = () => v1.getOpenAPI31Document(openApiConfig);

/** Paths under /api that read no database. */
const NO_DATABASE = new Set(['/api/v1/ping', '/api/openapi.json', '/api/v1/openapi.json', '/api/docs']);

/** The Worker's fetch handler for /api/*. */
export const app = new OpenAPIHono<AppEnv>()
  .use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    c.header('X-Frame-Options', 'DENY');
    // JSON and files need no sources at all; the HTML routes (docs, print) set their own, as strict.
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
    if (c.req.url.startsWith('https:')) c.header('Strict-Transport-Security', HSTS);
  })
  // A restore that has not finished (npm run import stopped midway) leaves the marker row: serve
  // nothing from a half-restored database. Routes that read no database (ping, the benchmark's
  // baseline; the OpenAPI document and the reference page) stay up.
  .use('/api/*', async (c, next) => {
    if (NO_DATABASE.has(c.req.path)) return next();
    const r = await restoreInProgress(c.env.DB);
    if (r) {
      throw new ApiError(
        503,
        'restore_incomplete',
        `数据库恢复尚未完成（已恢复 ${r.rows_done}/${r.rows_total} 行），暂停服务。管理员：用同一备份文件再次运行 npm run import 即可继续。`,
        `The database restore has not finished (${r.rows_done} of ${r.rows_total} rows); nothing is served until it has. Operators: run npm run import again with the same backup file to finish it.`,
      );
    }
    return next();
  })
  .use('/api/*', authenticate)
  .use('/api/v1/*', purgeAfterWrite)
  .route('/api/health', health)
  .route('/api', docs(document))
  .route('/api', prefs)
  .route('/api/v1', v1);

app.notFound((c) =>
  c.json(
    { error: { code: 'not_found', message: `没有这个地址：${c.req.path}`, message_en: `No such path: ${c.req.path}` } },
    404,
  ),
);

/** The API's error for a request Hono refused before any route ran: 400 unparsable body, 415 wrong media type. */
function requestError(status: HTTPException['status']): ApiError {
  if (status === 415) {
    return new ApiError(415, 'unsupported_media_type', '请求正文须为 JSON（Content-Type: application/json）。', 'The request body must be JSON (Content-Type: application/json).', [
      { path: 'Content-Type', message: '应为 application/json', message_en: 'must be application/json' },
    ]);
  }
  if (status === 400) {
    return new ApiError(400, 'malformed_body', '请求正文不是有效的 JSON。', 'The request body is not valid JSON.', [
      { path: '(body)', message: '不是有效的 JSON', message_en: 'not valid JSON' },
    ]);
  }
  return new ApiError(status, 'bad_request', '请求有误。', 'Bad request.');
}

app.onError((err, c) => {
  if (err instanceof ApiError) return c.json(err.body(), err.status);
  // Hono's own 4xx (a body that is not JSON, a wrong Content-Type) get the same error shape.
  if (err instanceof HTTPException && err.status < 500) return c.json(requestError(err.status).body(), err.status);
  // Unknown errors are logged once here and answered generically: no internals leak.
  console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, err);
  return c.json({ error: { code: 'internal_error', message: '服务器内部错误，请稍后再试。', message_en: 'Internal server error; please try again later.' } }, 500);
});
