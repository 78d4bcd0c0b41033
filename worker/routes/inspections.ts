/**
 * Inspections (督导检查): a supervisor records an inspection with its findings and rectification
 * items (整改). Each rectification item becomes a task of kind 'rectification' led by its
 * responsible unit: its reporters submit updates on it, the office reviews them, and it appears on
 * the overdue board once past its deadline — exactly like a plan task.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { denied, requireCaller } from '../auth/middleware.ts';
import { auditStmt } from '../db/audit.ts';
import { inspectionStmts, listInspections, readInspection, readTownRefs, type NewInspection } from '../db/supervision.ts';
import { InspectionInput, inspectionProblems } from '../domain/inspection.ts';
import { attachedFiles, once } from './updates.ts';
import { DateParam, TOWN_READERS, TownParam, err, json, staffOf } from './supervision.ts';
import { attachmentStmts } from '../db/files.ts';
import { AttachmentView } from '../domain/files.ts';

const InspectionView = z
  .object({
    id: z.string(),
    town: z.string(),
    inspected_on: z.string(),
    title: z.string(),
    inspectors: z.array(z.string()),
    units: z.array(z.string()),
    tasks: z.array(z.string()),
    findings: z.array(z.object({ text: z.string(), unit: z.string().nullable(), task: z.string().nullable() })),
    created_by: z.string(),
    created_at: z.string(),
    attachments: z.array(AttachmentView),
    rectifications: z.array(
      z.object({
        id: z.string(),
        ref: z.string().openapi({ description: '`<town>:<task>`: submit updates at /tasks/{ref}/updates' }),
        code: z.string(),
        title: z.string(),
        requirement: z.string(),
        unit: z.string(),
        due_on: z.string(),
        lead_member: z.string().nullable(),
        status: z.string(),
        percent: z.number(),
        version: z.number(),
      }),
    ),
  })
  .openapi('Inspection');

const IdemHeaders = z.object({
  'idempotency-key': z.string().min(8).max(200).regex(/^[\x21-\x7e]+$/).openapi({ description: 'Unique per logical request; a retry sends the same key' }),
});

const createInspectionRoute = contract({ roles: ['supervisor', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/inspections',
  summary: 'Record an inspection with findings and rectification items (supervisor, admin)',
  request: { params: TownParam, headers: IdemHeaders, body: { content: { 'application/json': { schema: InspectionInput } }, required: true } },
  responses: {
    201: json(InspectionView, 'Recorded'),
    400: err('Invalid body'),
    401: err('Not signed in'),
    403: err('Not a supervisor of this town'),
    404: err('No such town'),
    422: err('A unit, task or member not of this town, a deadline before the inspection, or a reused Idempotency-Key'),
  },
});

const listInspectionsRoute = contract({ roles: TOWN_READERS, town: 'town' }, {
  method: 'get',
  path: '/towns/{town}/inspections',
  summary: "The town's inspections, newest first (supervisor, office, region supervisor, admin)",
  request: {
    params: TownParam,
    query: z.object({ from: DateParam.optional(), to: DateParam.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
  },
  responses: { 200: json(z.object({ inspections: z.array(InspectionView) }), 'Inspections'), 400: err('Invalid query'), 401: err('Not signed in'), 403: err('Not permitted') },
});

const readInspectionRoute = contract({ roles: TOWN_READERS }, {
  method: 'get',
  path: '/inspections/{inspection}',
  summary: 'One inspection with its rectification items and their current state (supervisor, office, region supervisor, admin)',
  request: { params: z.object({ inspection: z.string().min(1).max(64).openapi({ param: { name: 'inspection', in: 'path' } }) }) },
  responses: { 200: json(InspectionView, 'Inspection'), 401: err('Not signed in'), 403: err('Not permitted'), 404: err('No such inspection') },
});

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Mounted at /api/v1. */
export const inspections = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createInspectionRoute, async (c) => {
    const { town } = c.req.valid('param');
    const caller = await requireCaller(c, 'supervisor', 'admin');
    if (caller.role !== 'admin' && caller.town_id !== town) throw await denied(c, `town ${town} is not the caller's town`, { entity: 'town', entity_id: town });
    const input = c.req.valid('json');
    const refs = await readTownRefs(c.env.DB, town);
    if (!refs.units.size) throw notFound('Town', '乡镇', town);
    const problems = inspectionProblems(input, refs);
    if (problems.length) throw new ApiError(422, 'invalid_reference', '检查记录中有不属于本镇的单位、任务或人员，或整改时限有误。', 'Some references are not of this town, or a deadline is wrong.', problems);
    const files = await attachedFiles(c.env.DB, town, input.attachments);
    return once(c, caller, input, async () => {
      const now = new Date().toISOString();
      const id = `insp-${hex(8)}`;
      const rec: NewInspection = {
        id,
        town,
        inspected_on: input.inspected_on,
        title: input.title,
        inspectors: input.inspectors,
        units: input.units,
        tasks: input.tasks,
        findings: input.findings.map((f) => ({ text: f.text, unit: f.unit ?? null, task: f.task ?? null })),
        rectifications: input.rectifications.map((r, i) => ({
          id: `zg-${hex(6)}`,
          code: `整改${input.inspected_on.replaceAll('-', '')}-${i + 1}`,
          title: r.title,
          requirement: r.requirement ?? r.title,
          unit: r.unit,
          due_on: r.due_on,
          lead_member: r.lead_member ?? null,
        })),
        created_by: caller.id,
        created_at: now,
      };
      const attached = attachmentStmts(town, { kind: 'inspection', id }, input.attachments, files, now);
      const answer = {
        id,
        town,
        inspected_on: rec.inspected_on,
        title: rec.title,
        inspectors: rec.inspectors,
        units: rec.units,
        tasks: rec.tasks,
        findings: rec.findings,
        created_by: caller.id,
        created_at: now,
        attachments: attached.views,
        rectifications: rec.rectifications.map((r) => ({
          id: r.id,
          ref: `${town}:${r.id}`,
          code: r.code,
          title: r.title,
          requirement: r.requirement,
          unit: r.unit,
          due_on: r.due_on,
          lead_member: r.lead_member,
          status: 'not_started',
          percent: 0,
          version: 1,
        })),
      };
      return {
        status: 201 as const,
        answer,
        stmts: [
          ...inspectionStmts(rec),
          ...attached.stmts,
          auditStmt({
            at: now,
            actor: caller.id,
            action: 'inspection.create',
            town_id: town,
            entity: 'inspection',
            entity_id: id,
            detail: { inspected_on: rec.inspected_on, findings: rec.findings.length, rectifications: rec.rectifications.map((r) => r.id), ...(input.attachments.length ? { attachments: input.attachments.map((a) => a.file) } : {}) },
          }),
          ...rec.rectifications.map((r) =>
            auditStmt({ at: now, actor: caller.id, action: 'rectification.create', town_id: town, unit_id: r.unit, task_id: r.id, entity: 'inspection', entity_id: id, detail: { due_on: r.due_on, title: r.title } }),
          ),
        ],
        onConflict: async () => new ApiError(409, 'conflict', '保存检查记录时发生冲突，请重试。', 'Conflict while saving the inspection; retry.'),
      };
    });
  })
  .openapi(listInspectionsRoute, async (c) => {
    const { town } = c.req.valid('param');
    await staffOf(c, town, 'read');
    const q = c.req.valid('query');
    return c.json({ inspections: await listInspections(c.env.DB, town, q) }, 200);
  })
  .openapi(readInspectionRoute, async (c) => {
    await requireCaller(c, ...TOWN_READERS);
    const id = c.req.valid('param').inspection;
    const rec = await readInspection(c.env.DB, id);
    if (!rec) throw notFound('Inspection', '督导检查记录', id);
    await staffOf(c, rec.town, 'read');
    return c.json(rec, 200);
  });

