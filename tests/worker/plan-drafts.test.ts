/**
 * 方案起草 in the console: an admin sends a plan's text and gets the draft folder as a zip — the same files
 * `npm run plan:draft` writes — and the upload is audited; no one else may, a live town is never replaced,
 * and a .doc is refused with how to save it as .docx. The built Worker over a real local D1.
 */
import { describe, expect, it } from 'vitest';
import { SELF, env } from 'cloudflare:test';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'yaml';
import { loadContent } from './helpers.ts';
import { auditRows, signIn, signedIn } from './auth-helpers.ts';

/** The plan of a fictional town, in the style of a real one (its text also in tests/fixtures/plan-draft/). */
const PLAN = [
  '柳政发〔2024〕7号',
  '柳溪镇创建医养结合示范镇实施方案',
  '【测试数据】本方案为测试用虚构文件。',
  '一、工作目标',
  '到2024年底，全镇老年人家庭医生签约率达到65%以上，建成2处镇级医养结合服务中心。',
  '二、主要任务',
  '1．推进家庭医生签约服务。由镇卫生健康办公室（以下简称卫健办）牵头，镇卫生院具体实施，组建家庭医生团队12支。',
  '三、保障措施',
  '（一）强化资金保障。财政所要将医养结合工作经费纳入年度预算。',
  '柳溪镇创建医养结合示范镇工作领导小组',
  '成员名单',
  '组  长：周  明  镇党委书记',
  '成  员：王  芳  卫生健康办公室主任',
  '        刘  洋  财政所所长',
  '        李文博  镇卫生院院长',
  '领导小组办公室设在镇卫健办，王芳兼任办公室主任。',
].join('\n');

const post = (token: string | null, body: unknown) =>
  SELF.fetch('http://localhost/api/v1/plan-drafts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('POST /api/v1/plan-drafts', () => {
  it('gives an admin the draft folder as a zip, with DRAFT.md, and records the upload in the audit log', async () => {
    await loadContent();
    const admin = await signedIn('admin');
    const res = await post(admin.token, { town: 'liuxi', file_name: '柳溪镇实施方案.docx', text: PLAN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain('liuxi-draft.zip');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['DRAFT.md', 'indicators.yaml', 'leading-group.yaml', 'plan.md', 'tasks.yaml', 'town.yaml', 'units.yaml'].map((f) => `liuxi/${f}`));
    const town = parse(strFromU8(files['liuxi/town.yaml']!));
    expect(town).toMatchObject({ id: 'liuxi', name: '柳溪镇', demo: true, plan: { doc_number: '柳政发〔2024〕7号' } });
    const group = parse(strFromU8(files['liuxi/leading-group.yaml']!));
    expect(group.members.map((m: { name: string; post: string }) => `${m.name} ${m.post}`)).toEqual(['周明 镇党委书记', '王芳 卫生健康办公室主任', '刘洋 财政所所长', '李文博 镇卫生院院长']);
    // the catalogue in D1 maps the family-doctor target; the service centres are a proposed new indicator
    const inds = parse(strFromU8(files['liuxi/indicators.yaml']!));
    expect(inds.map((i: { indicator: string }) => i.indicator)).toEqual(['family-doctor-signing-elderly', 'draft-indicator-1']);
    const md = strFromU8(files['liuxi/DRAFT.md']!);
    expect(md).toContain('## content:check');
    expect(res.headers.get('x-draft-check-unlisted')).toBe('0');
    expect(Number(res.headers.get('x-draft-decisions'))).toBeGreaterThan(0);
    const [row] = await auditRows('plan_draft.created');
    expect(row).toMatchObject({ actor: admin.id, entity: 'plan_draft', entity_id: 'liuxi' });
    expect(JSON.parse(row!.detail_json)).toMatchObject({ file_name: '柳溪镇实施方案.docx', characters: PLAN.length, members: 4 });
    // nothing was published: no town liuxi in the database
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM towns WHERE id = 'liuxi'").first('n')).toBe(0);
  });

  it('never drafts over a live town', async () => {
    await loadContent();
    const res = await post(await signIn('admin'), { town: 'fengmao', file_name: '方案.txt', text: PLAN });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'town_exists', fields: [{ path: 'town' }] } });
  });

  it('refuses a .doc file name and says how to save it as .docx', async () => {
    await loadContent();
    const res = await post(await signIn('admin'), { town: 'liuxi', file_name: '方案.doc', text: PLAN });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; fields: { path: string }[] } };
    expect(body.error.code).toBe('unsupported_document');
    expect(body.error.message).toContain('另存为');
    expect(body.error.fields[0]!.path).toBe('file_name');
  });

  it('names the field of a bad town id, after checking the caller', async () => {
    await loadContent();
    expect((await post(null, { town: 'Bad Id' })).status).toBe(401);
    expect((await post(await signIn('office'), { town: 'Bad Id' })).status).toBe(403);
    const res = await post(await signIn('admin'), { town: 'Bad Id', file_name: '方案.txt', text: PLAN });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', fields: [{ path: 'town' }] } });
  });
});
