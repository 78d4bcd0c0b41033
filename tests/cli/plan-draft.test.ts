/**
 * `npm run plan:draft`: a town's 工作方案 → a draft folder and DRAFT.md, checked and loaded as a person would:
 * the real CLI on the real files (Fengmao's plan text, a .docx made from it, a fictional plan of another
 * style in UTF-8 and GB18030), then content:check and the loader into a throwaway local D1.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { LeadingGroup, TaskDef, TownFile, TownIndicator, Unit } from '../../worker/domain/content.ts';
import { docxFromText } from '../fixtures/plan-draft/docx.ts';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'plan-draft-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const FENGMAO_TEXT = resolve(root, 'tests/fixtures/seeds/002_8ffd31154bc4d7b9.txt');
const LIUXI = resolve(root, 'tests/fixtures/plan-draft/liuxi-plan.txt');

/** A content folder with only the catalogue, as a county office starts from. */
function contentDir(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  cpSync(resolve(root, 'content/indicators.yaml'), join(dir, 'indicators.yaml'));
  return dir;
}
function draft(file: string, town: string, content: string, ...more: string[]) {
  return spawnSync(process.execPath, [resolve(root, 'worker/cli/plan-draft.ts'), file, '--town', town, '--content', content, ...more], { cwd: root, env, encoding: 'utf8' });
}
const read = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
const yamlOf = <T>(dir: string, f: string) => parse(readFileSync(join(dir, f), 'utf8')) as T;
/** The proposed catalogue entries DRAFT.md shows, as the person adds them to content/indicators.yaml. */
function acceptProposals(content: string, town: string): void {
  const md = readFileSync(join(content, 'towns', town, 'DRAFT.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
  if (block) writeFileSync(join(content, 'indicators.yaml'), `${readFileSync(join(content, 'indicators.yaml'), 'utf8').trimEnd()}\n${block}`);
}
const check = (content: string) => spawnSync(process.execPath, [resolve(root, 'worker/content/read.ts'), content], { cwd: root, env, encoding: 'utf8' });

describe('npm run plan:draft on Fengmao’s plan text', () => {
  const content = contentDir('fengmao-txt');
  const r = draft(FENGMAO_TEXT, 'fengmao-draft', content);
  const dir = join(content, 'towns/fengmao-draft');
  const hand = resolve(root, 'content/towns/fengmao');

  it('writes the six files and DRAFT.md, and says content:check passes except for what DRAFT.md lists', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['DRAFT.md', 'indicators.yaml', 'leading-group.yaml', 'plan.md', 'tasks.yaml', 'town.yaml', 'units.yaml']);
    expect(r.stdout).toContain('passes except for what DRAFT.md lists');
  });

  it('gives plan.md the same ## and ### headings as the hand-written one, every word of the plan kept', () => {
    const headings = (md: string) => md.split('\n').filter((l) => /^#{2,3} /.test(l));
    const md = readFileSync(join(dir, 'plan.md'), 'utf8');
    expect(headings(md)).toEqual(headings(readFileSync(join(hand, 'plan.md'), 'utf8')));
    const bare = (s: string) => s.replace(/[\s#|-]/g, '');
    const seed = readFileSync(FENGMAO_TEXT, 'utf8');
    // every line of the document is in plan.md (a heading line is split at its first 。)
    for (const line of seed.split('\n').map((l) => l.trim()).filter(Boolean)) for (const part of line.split('。')) expect(bare(md)).toContain(bare(part));
  });

  it('reads 文号, title, the milestones and the profile figures as the plan states them', () => {
    const town = yamlOf<TownFile>(dir, 'town.yaml');
    const handTown = yamlOf<TownFile>(hand, 'town.yaml');
    expect(town.name).toBe('冯卯镇');
    expect(town.plan.doc_number).toBe('冯政发〔2018〕24号');
    expect(town.plan.title).toBe(handTown.plan.title);
    expect(town.plan.issuer).toBeUndefined(); // the plan has no 落款: absent, not guessed
    expect(town.milestones.map((m) => [m.id, m.label])).toEqual(handTown.milestones.map((m) => [m.id, m.label]));
    const fig = (t: TownFile, text: string) => t.profile.find((f) => f.text === text);
    for (const text of ['35个行政村', '1.5万户', '5.8万人', '6106人', '10.53%', '46家', '4.95万人次']) {
      expect(fig(town, text), text).toMatchObject({ value: fig(handTown, text)!.value, qualifier: fig(handTown, text)!.qualifier, quote: fig(handTown, text)!.quote });
    }
  });

  it('lists all 21 members with their posts as printed, and the office in 卫计办', () => {
    const g = yamlOf<LeadingGroup>(dir, 'leading-group.yaml');
    const handG = yamlOf<LeadingGroup>(hand, 'leading-group.yaml');
    expect(g.members.map((m) => [m.name, m.role, m.post])).toEqual(handG.members.map((m) => [m.name, m.role, m.post]));
    const units = yamlOf<Unit[]>(dir, 'units.yaml');
    expect(units.find((u) => u.id === g.office.unit)?.name).toBe('卫计办');
    expect(g.office.quote).toBe(handG.office.quote);
  });

  it('reads every numeric target of the hand-written indicators.yaml: same indicator, milestone, value and comparator', () => {
    const keys = (list: TownIndicator[]) => list.flatMap((i) => i.targets.filter((t) => t.kind === 'numeric').map((t) => t.kind === 'numeric' && `${i.indicator} ${t.milestone} ${t.value} ${t.comparator}`)).sort();
    expect(keys(yamlOf<TownIndicator[]>(dir, 'indicators.yaml'))).toEqual(keys(yamlOf<TownIndicator[]>(hand, 'indicators.yaml')));
  });

  it('marks units stated only where the sentence names them as its actors', () => {
    const tasks = yamlOf<TaskDef[]>(dir, 'tasks.yaml');
    const units = new Map(yamlOf<Unit[]>(dir, 'units.yaml').map((u) => [u.id, u.name]));
    const stated = tasks.filter((t) => t.units_basis === 'stated').map((t) => [t.quote.slice(0, 8), t.units.map((u) => units.get(u.unit))]);
    expect(stated).toEqual([
      ['冯卯中心卫生院增', ['冯卯中心卫生院']],
      ['镇纪委、组织、卫', ['镇纪委', '组织办', '卫计办', '民政办']],
      ['镇报道站要加大宣', ['报道站']],
    ]);
    // an inferred assignment is a decision in DRAFT.md
    const md = readFileSync(join(dir, 'DRAFT.md'), 'utf8');
    for (const t of tasks.filter((x) => x.units_basis === 'inferred' && x.kind === 'deliverable')) expect(md).toContain(`${t.code} 单位为推定`);
  });

  it('passes content:check once the proposed indicators in DRAFT.md are accepted, and loads into D1 as a new town', () => {
    acceptProposals(content, 'fengmao-draft');
    const c = check(content);
    expect(c.status, c.stderr).toBe(0);
    const drafted = yamlOf<TaskDef[]>(dir, 'tasks.yaml').length;
    expect(c.stdout).toContain(`fengmao-draft (${drafted} tasks`);
    const persist = join(work, 'd1');
    const wr = (args: string[]) => spawnSync(resolve(root, 'node_modules/.bin/wrangler'), [...args, '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
    // Migrated as npm start does (one process), loaded by the real loader, read back through wrangler.
    const migrated = spawnSync(process.execPath, [resolve(root, 'worker/cli/migrate.ts'), '--local', '--persist-to', persist], { cwd: root, env, encoding: 'utf8' });
    expect(migrated.status, migrated.stderr).toBe(0);
    const load = spawnSync(process.execPath, [resolve(root, 'worker/cli/load-content.ts'), '--local', '--persist-to', persist], { cwd: root, env: { ...env, CONTENT_DIR: content }, encoding: 'utf8' });
    expect(load.status, load.stderr).toBe(0);
    const q = wr(['d1', 'execute', 'DB', '--local', '--json', '--command', "SELECT (SELECT name FROM towns WHERE id = 'fengmao-draft') AS name, (SELECT COUNT(*) FROM tasks WHERE town_id = 'fengmao-draft') AS tasks"]);
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)[0].results[0]).toEqual({ name: '冯卯镇', tasks: drafted });
  });

  it('never overwrites a town folder without --force', () => {
    const again = draft(FENGMAO_TEXT, 'fengmao-draft', content);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--force');
    expect(draft(FENGMAO_TEXT, 'fengmao-draft', content, '--force').status).toBe(0);
  });
});

describe('npm run plan:draft on a .docx', () => {
  it('drafts the same files from a Word document made from Fengmao’s text as from the text', () => {
    const docx = join(work, '冯卯镇工作方案.docx');
    writeFileSync(docx, docxFromText(readFileSync(FENGMAO_TEXT, 'utf8')));
    const a = contentDir('fengmao-docx');
    const b = contentDir('fengmao-txt2');
    expect(draft(docx, 'fengmao-draft', a).status).toBe(0);
    expect(draft(FENGMAO_TEXT, 'fengmao-draft', b).status).toBe(0);
    expect(read(join(a, 'towns/fengmao-draft'))).toEqual(read(join(b, 'towns/fengmao-draft')));
  });

  it('reads a 任务分解表 Word table: each row a deliverable, its units and date stated', () => {
    const docx = join(work, 'liuxi.docx');
    writeFileSync(docx, docxFromText(readFileSync(LIUXI, 'utf8')));
    const content = contentDir('liuxi-docx');
    const r = draft(docx, 'liuxi', content);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(content, 'towns/liuxi');
    const units = new Map(yamlOf<Unit[]>(dir, 'units.yaml').map((u) => [u.id, u.name]));
    const row = yamlOf<TaskDef[]>(dir, 'tasks.yaml').find((t) => t.title === '改造提升敬老院医疗室')!;
    expect(row).toMatchObject({ units_basis: 'stated', due: 'y2024', due_basis: 'stated' });
    expect(row.units.map((u) => [units.get(u.unit), u.role])).toEqual([
      ['社会事务办', 'lead'],
      ['财政所', 'support'],
    ]);
  });
});

describe('npm run plan:draft on a plan in another town’s style', () => {
  it('reads GB18030 text as it reads UTF-8', () => {
    const a = contentDir('liuxi-utf8');
    const b = contentDir('liuxi-gb');
    expect(draft(LIUXI, 'liuxi', a).status).toBe(0);
    expect(draft(resolve(root, 'tests/fixtures/plan-draft/liuxi-plan.gb18030.txt'), 'liuxi', b).status).toBe(0);
    expect(read(join(b, 'towns/liuxi'))).toEqual(read(join(a, 'towns/liuxi')));
  });

  it('knows 卫健办 is 卫生健康办公室, keeps a target on 村卫生室 off the catalogue’s 医疗机构, and keeps the goal’s 2024 target over the task’s that contradicts it', () => {
    const content = contentDir('liuxi');
    const r = draft(LIUXI, 'liuxi', content);
    expect(r.status, r.stderr).toBe(0);
    const dir = join(content, 'towns/liuxi');
    const town = yamlOf<TownFile>(dir, 'town.yaml');
    expect(town).toMatchObject({ name: '柳溪镇', demo: true, plan: { doc_number: '柳政发〔2024〕7号', issuer: { value: '柳溪镇人民政府', basis: 'stated' }, issued_on: { value: '2024-03-15', basis: 'stated' } } });
    const units = yamlOf<Unit[]>(dir, 'units.yaml');
    expect(units.find((u) => u.name === '卫生健康办公室')?.aliases).toContain('卫健办');
    const inds = yamlOf<TownIndicator[]>(dir, 'indicators.yaml');
    const village = inds.find((i) => i.targets.some((t) => t.quote.startsWith('所有村卫生室')))!;
    expect(village.indicator).toMatch(/^draft-indicator-/);
    const md = readFileSync(join(dir, 'DRAFT.md'), 'utf8');
    const signing = inds.find((i) => i.indicator === 'family-doctor-signing-elderly')!;
    expect(signing.targets.filter((t) => t.milestone === 'y2024').map((t) => t.kind === 'numeric' && t.display)).toEqual(['65%以上']);
    // the task's 全覆盖 for the same date is a decision for a person, the goals part winning
    expect(md).toMatch(/family-doctor-signing-elderly 在 y2024：任务中的“到2024年底，实现老年人家庭医生签约服务全覆盖”[^\n]*以目标部分为准/);
    expect(md).toContain('所有村卫生室');
    // once the proposals are accepted, content:check passes
    acceptProposals(content, 'liuxi');
    const c = check(content);
    expect(c.status, c.stderr).toBe(0);
  });
});

describe('npm run plan:draft refuses what it cannot read', () => {
  for (const ext of ['doc', 'wps', 'pdf']) {
    it(`refuses a .${ext} file and says how to save it as .docx`, () => {
      const f = join(work, `方案.${ext}`);
      writeFileSync(f, 'x');
      const r = draft(f, 'refused', contentDir(`refused-${ext}`));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('另存为');
      expect(r.stderr).toContain('.docx');
      expect(existsSync(join(work, `refused-${ext}`, 'towns/refused'))).toBe(false);
    });
  }
});
