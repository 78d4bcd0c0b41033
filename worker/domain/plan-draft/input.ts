/** The console's upload of a plan for drafting: the schema the route validates and the screen's form checks. */
import { z } from 'zod';
import { Slug } from '../content.ts';

/** Characters of plan text a draft takes (a 30-page plan is about 20,000). */
export const PLAN_TEXT_MAX = 400_000;

/** POST /plan-drafts: the document's text (a .docx is converted to text in the browser), its file name and the new town's id. */
export const PlanDraftInput = z.object({
  /** The new town's id (its folder under content/towns/), lower-case kebab-case, not a live town's. */
  town: Slug.max(60, { message: '标识最多60个字符 / at most 60 characters' }),
  /** The uploaded file's name, for the audit log and the refusal of .doc/.wps/.pdf. */
  file_name: z.string().min(1, { message: '请选择文件 / choose a file' }).max(200),
  /** The plan's full text, one line per paragraph, table rows as tab-separated cells. */
  text: z.string().min(20, { message: '文件中没有可读的正文 / the file holds no readable text' }).max(PLAN_TEXT_MAX, { message: `正文超过 ${PLAN_TEXT_MAX} 字 / more than ${PLAN_TEXT_MAX} characters` }),
});
export type PlanDraftInput = z.infer<typeof PlanDraftInput>;
