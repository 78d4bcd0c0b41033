/**
 * The project's wording for every zod issue, in Chinese and English, so no library message (zod's
 * English defaults) reaches a person. Messages follow the schemas' own convention "中文 / English";
 * a message a schema writes itself (`.regex(re, { message })`, a refinement) is kept as written.
 *
 * `installZodMessages()` registers `zodMessage` as zod's global `customError`: it applies to every
 * schema (bodies, query strings, headers, path parameters) wherever zod itself would word the issue.
 */
import { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '布尔值（true 或 false）',
  object: '对象',
  array: '数组',
  tuple: '数组',
  record: '对象',
  null: 'null',
  date: '日期',
};
const FORMAT: Record<string, [string, string]> = {
  date: ['日期格式应为 YYYY-MM-DD，且是真实存在的日期', 'must be a real date as YYYY-MM-DD'],
  datetime: ['时间格式应为 ISO 8601（如 2019-01-01T08:00:00Z）', 'must be an ISO 8601 date-time'],
  time: ['时间格式应为 HH:MM[:SS]', 'must be a time as HH:MM[:SS]'],
  url: ['应为完整的网址', 'must be a URL'],
  email: ['应为电子邮箱地址', 'must be an e-mail address'],
  uuid: ['应为 UUID', 'must be a UUID'],
};
const SIZE_UNIT: Record<string, [string, string]> = {
  string: ['个字符', 'characters'],
  array: ['项', 'items'],
  set: ['项', 'items'],
  file: ['字节', 'bytes'],
};
const list = (values: readonly unknown[]) => values.slice(0, 20).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)));

/** One issue in the project's words: `[中文, English]`. */
export function issueWords(issue: RawIssue): [string, string] {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return ['必填', 'required'];
      const expected = String(issue.expected);
      return [`应为${TYPE_ZH[expected] ?? expected}`, `must be ${expected === 'int' ? 'an integer' : `of type ${expected}`}`];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      const unit = SIZE_UNIT[issue.origin];
      if (unit) {
        if (issue.origin === 'string' && min === 1) return ['不能为空', 'must not be empty'];
        return issue.exact ? [`应为${min}${unit[0]}`, `must have exactly ${min} ${unit[1]}`] : [`至少${min}${unit[0]}`, `must have at least ${min} ${unit[1]}`];
      }
      return issue.inclusive ? [`不能小于 ${min}`, `must be at least ${min}`] : [`应大于 ${min}`, `must be greater than ${min}`];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      const unit = SIZE_UNIT[issue.origin];
      if (unit) return issue.exact ? [`应为${max}${unit[0]}`, `must have exactly ${max} ${unit[1]}`] : [`最多${max}${unit[0]}`, `must have at most ${max} ${unit[1]}`];
      return issue.inclusive ? [`不能大于 ${max}`, `must be at most ${max}`] : [`应小于 ${max}`, `must be less than ${max}`];
    }
    case 'invalid_format':
      return FORMAT[issue.format] ?? ['格式不正确', 'has the wrong format'];
    case 'not_multiple_of':
      return [`应为 ${issue.divisor} 的整数倍`, `must be a multiple of ${issue.divisor}`];
    case 'unrecognized_keys':
      return [`有不认识的字段：${list(issue.keys).join('、')}`, `unknown fields: ${list(issue.keys).join(', ')}`];
    case 'invalid_value':
      return issue.values.length === 1
        ? [`应为 ${list(issue.values)[0]}`, `must be ${list(issue.values)[0]}`]
        : [`应为以下之一：${list(issue.values).join('、')}`, `must be one of: ${list(issue.values).join(', ')}`];
    case 'invalid_union':
      return ['不符合任何一种允许的形式', 'matches none of the allowed forms'];
    case 'invalid_key':
      return ['字段名不合法', 'has an invalid key'];
    case 'invalid_element':
      return ['其中有不合法的项', 'has an invalid element'];
    default:
      return ['不符合要求', 'is not valid'];
  }
}

/** zod's `customError`: the project's "中文 / English" message for an issue zod would word itself. */
export const zodMessage = (issue: RawIssue): string => issueWords(issue).join(' / ');

/** Splits a "中文 / English" message into its two languages (a message without the separator is Chinese only). */
export function splitMessage(m: string): { message: string; message_en: string } {
  const i = m.lastIndexOf(' / ');
  return i < 0 ? { message: m, message_en: m } : { message: m.slice(0, i), message_en: m.slice(i + 3) };
}

/** Registers the project's wording as zod's global error map (idempotent). */
export function installZodMessages(): void {
  z.config({ customError: zodMessage });
}
