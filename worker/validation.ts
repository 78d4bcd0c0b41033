/**
 * Turns zod validation failures into the API's error shape, naming each field in Chinese and
 * English, and refuses text that is not Unicode (lone surrogates, invalid UTF-8) the same way.
 */
import type { Hook } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';
import { installZodMessages, splitMessage } from './domain/zod-messages.ts';
import { illFormedText, utf8OrMarked } from './domain/unicode.ts';

// Every message zod words itself (a missing field, a wrong type, a bad header or path parameter)
// is the project's "中文 / English" wording, never zod's English default.
installZodMessages();

/** One named field in the error shape. */
export interface FieldProblem {
  path: string;
  message: string;
  message_en: string;
}

/** Field errors from a zod error: path joined with dots, the message split into Chinese and English. */
export function fieldErrors(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', ...splitMessage(i.message) }));
}

/** 400 `validation_failed` naming these fields. */
export function validationFailed(fields: FieldProblem[]): ApiError {
  return new ApiError(
    400,
    'validation_failed',
    `请求有误，请检查以下字段：${fields.map((f) => f.path).join('、')}`,
    `Invalid request; check these fields: ${fields.map((f) => f.path).join(', ')}`,
    fields,
  );
}

const NOT_UNICODE = { message: '含有无效的字符编码（如孤立的代理项或无效的 UTF-8），请重新输入', message_en: 'contains text that is not valid Unicode (a lone surrogate or invalid UTF-8)' };

/**
 * The defaultHook for every OpenAPIHono router: 400 with the fields that failed; and, for input
 * that passed, 400 naming every string (or key) that is not well-formed Unicode, which D1 would
 * otherwise store silently as U+FFFD.
 */
export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (!result.success) throw validationFailed(fieldErrors(result.error as z.ZodError));
  const bad = illFormedText(result.data);
  if (bad.length) throw validationFailed(bad.map((p) => ({ path: p || '(body)', ...NOT_UNICODE })));
};

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Route middleware for JSON bodies (after the access check, before the validators): reads the body
 * once and, when it is not valid UTF-8, hands the validators a text in which each invalid byte run
 * is a lone surrogate, so the string field holding it is refused by name (or the body as malformed
 * JSON when the bytes were outside any string).
 */
export const utf8Body = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (JSON_TYPE.test(type)) {
    const text = utf8OrMarked(new Uint8Array(await c.req.arrayBuffer()));
    // Hono parses JSON from its cached text (a promise, though typed as Body's method): give it the checked one.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
  }
  await next();
});

/**
 * For a route whose JSON body is optional: an empty body sent as JSON (a client that always sets
 * `Content-Type: application/json`) reads as `{}`, as it did before the route took a body. Runs
 * after utf8Body (the contract's), which has cached the body's text.
 */
export const emptyJsonIsEmptyObject = createMiddleware<AppEnv>(async (c, next) => {
  const cache = c.req.bodyCache as { text?: Promise<string> };
  const type = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (JSON_TYPE.test(type) && cache.text && (await cache.text).trim() === '') cache.text = Promise.resolve('{}');
  await next();
});
