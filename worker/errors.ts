/**
 * The API's one error shape: `{ error: { code, message, message_en, fields? } }`.
 * `message` is Chinese for the person reading it; `message_en` is English; `code` is stable.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/** One invalid field: its path (e.g. `measurements.0.value`) and what is wrong, in both languages. */
export const FieldError = z.object({ path: z.string(), message: z.string(), message_en: z.string().optional() });

/** JSON body of every error response. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    message_en: z.string(),
    fields: z.array(FieldError).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An expected failure with a stable code; the global handler turns it into the JSON error shape. */
export class ApiError extends HTTPException {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly fields?: z.infer<typeof FieldError>[];
  constructor(status: ContentfulStatusCode, code: string, zh: string, en: string, fields?: z.infer<typeof FieldError>[]) {
    super(status, { message: en });
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.fields = fields;
  }
  /** The JSON body for this error. */
  body(): ErrorBody {
    return { error: { code: this.code, message: this.zh, message_en: this.en, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** 404 for a named resource. */
export const notFound = (what: string, whatZh: string, id: string): ApiError =>
  new ApiError(404, 'not_found', `未找到${whatZh}：${id}`, `${what} not found: ${id}`);
