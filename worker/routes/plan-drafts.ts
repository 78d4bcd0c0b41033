/**
 * The plan drafter in the console (issue 25): an admin uploads a town's 工作方案 and gets the draft folder
 * back as a zip (the six files and DRAFT.md, as `npm run plan:draft` writes them). Nothing is published:
 * the draft goes through DRAFT.md's decisions, `npm run content:check` and `npm run db:load`. The upload
 * is audited (plan_draft.created, with the file's name, size and SHA-256).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { strToU8, zipSync } from 'fflate';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { requireCaller } from '../auth/middleware.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { readCatalogue, townExists } from '../db/plan-drafts.ts';
import { draftPlan } from '../domain/plan-draft/draft.ts';
import { checkPlanDraft, checkSection } from '../domain/plan-draft/check.ts';
import { DocumentError, documentFormat } from '../domain/plan-draft/document.ts';
import { PlanDraftInput } from '../domain/plan-draft/input.ts';
import { err } from './supervision.ts';

const createRoute = contract({ roles: ['admin'] }, {
  method: 'post',
  path: '/plan-drafts',
  summary:
    "Draft a new town's content folder from its plan's text (.docx converted in the browser, .txt/.md as read): answers a zip of plan.md, town.yaml, units.yaml, leading-group.yaml, indicators.yaml, tasks.yaml and DRAFT.md; publishes nothing (admin)",
  request: { body: { content: { 'application/json': { schema: PlanDraftInput } }, required: true } },
  responses: {
    200: {
      description: 'The draft as a zip (`<town>/…`); headers X-Draft-Decisions and X-Draft-Check-Unlisted give the number of decisions in DRAFT.md and of content:check problems it does not list',
      content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    409: err('town_exists: a live town has this id (a draft never replaces a town)'),
    422: err('unsupported_document: a .doc, .wps or .pdf file name (save as .docx first), or another format'),
  },
});

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Mounted at /api/v1. */
export const planDrafts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(createRoute, async (c) => {
  const caller = await requireCaller(c, 'admin');
  const input = c.req.valid('json');
  try {
    documentFormat(input.file_name);
  } catch (e) {
    if (!(e instanceof DocumentError)) throw e;
    const [zh, en] = e.message.split(' / ');
    throw new ApiError(422, 'unsupported_document', zh!, en ?? zh!, [{ path: 'file_name', message: e.message }]);
  }
  if (await townExists(c.env.DB, input.town))
    throw new ApiError(409, 'town_exists', `已有标识为 ${input.town} 的乡镇，草稿不会替换它；请换一个标识。`, `A town with id ${input.town} is live; a draft never replaces it: choose another id.`, [
      { path: 'town', message: '已有此乡镇 / a town has this id' },
    ]);
  const catalogue = await readCatalogue(c.env.DB);
  const draft = draftPlan(input.text, input.town, catalogue);
  const results = checkPlanDraft(draft, input.town, catalogue);
  draft.files['DRAFT.md'] += checkSection(draft, results);
  const zip = zipSync(Object.fromEntries(Object.entries(draft.files).map(([name, body]) => [`${input.town}/${name}`, strToU8(body)])), { level: 6 });
  await runBatch(c.env.DB, [
    auditStmt({
      at: new Date().toISOString(),
      actor: caller.id,
      action: 'plan_draft.created',
      entity: 'plan_draft',
      entity_id: input.town,
      detail: { file_name: input.file_name, characters: input.text.length, sha256: await sha256(input.text), decisions: draft.decisions.length, ...draft.counts },
    }),
  ]);
  return c.body(zip, 200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${input.town}-draft.zip"`,
    'X-Draft-Decisions': String(draft.decisions.length),
    'X-Draft-Check-Unlisted': String(results.filter((r) => !r.listed).length),
  }) as never;
});
