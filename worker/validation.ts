/** Turns zod validation failures into the API's error shape, naming each field. */
import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/** Field errors from a zod error: path joined with dots, message as zod (or the schema) wrote it. */
export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** The defaultHook for every OpenAPIHono router: 400 with the fields that failed. */
export const validationHook: Hook<unknown, any, string, unknown> = (result) => {
  if (!result.success) {
    const fields = fieldErrors(result.error as z.ZodError);
    throw new ApiError(
      400,
      'validation_failed',
      `请求有误，请检查以下字段：${fields.map((f) => f.path).join('、')}`,
      `Invalid request; check these fields: ${fields.map((f) => f.path).join(', ')}`,
      fields,
    );
  }
};
