/**
 * The public site, checked as a reader sees it: every figure, target, task, member and
 * paragraph that content/ holds must be on the right page, and every page must be plain,
 * accessible, script-free HTML whose internal links all resolve. Prerendered pages are read
 * from dist/client; pages rendered on demand are fetched from the built Worker over a D1
 * seeded with tests/fixtures/public (tests/site/dist.ts).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readContent } from '../../worker/content/read.ts';
import { DIST, fetchLive, fileName, htmlFiles, siteFile } from './dist.ts';
import type { ContentBundle, TownBundle } from '../../worker/domain/content.ts';


// ---------------------------------------------------------------- helpers


/** The content a site URL path is served with (directory URLs end in /); undefined if none. */
function fileFor(urlPath: string): string | undefined {
  const p = decodeURIComponent(urlPath);
  return p.endsWith('/') ? siteFile(fileName(p)) : (siteFile(fileName(p)) ?? siteFile(fileName(`${p}/`)));
}

/** The HTML of a page by its URL path, e.g. "/towns/fengmao/". */
function page(urlPath: string): string {
  const f = fileFor(urlPath);
  if (f === undefined) throw new Error(`no page at ${urlPath} (run \`npm run build\` first)`);
  return f;
}

/** A page without the reporters' narratives (their links may point anywhere http(s); tests/domain/narrative.test.ts). */
const withoutNarratives = (html: string): string => html.replace(/<div class="narrative"[^>]*>[\s\S]*?<\/div>/g, '');

/** A page by its file name, e.g. "towns/fengmao/index.html". */
const read = (f: string): string => siteFile(f) ?? '';
/** /console/ inlines its sign-in script (allowed by hash in the console's CSP, tests/worker/security-headers.test.ts): code, not data. */
const EARLY_SIGNIN = `<script>${readFileSync(join(import.meta.dirname, '../../site/islands/console/early.js'), 'utf8')}</script>`;

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&amp;/g, '&');
}

/** What a reader reads: tags, styles and all whitespace removed (Chinese text has no word spaces). */
function text(html: string): string {
  return decodeEntities(html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, '')).replace(/\s+/g, '');
}

/** Whitespace-free form of a source string, to compare with text(). */
const squash = (s: string): string => s.replace(/\s+/g, '');

/** The HTML from the element with the given id up to (not including) `end`, searched after it. */
function slice(html: string, id: string, end: string | RegExp): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id="${id}"`);
  const rest = html.slice(start);
  const stop = typeof end === 'string' ? rest.indexOf(end, 1) : rest.slice(1).search(end) + 1;
  return stop > 0 ? rest.slice(0, stop) : rest;
}

/** "2018-12-31" → "2018年12月31日", "2021" → "2021年", "2017-09" → "2017年9月". */
function chineseDate(d: string): string {
  const [y, m, day] = d.split('-');
  return `${y}年` + (m ? `${Number(m)}月` : '') + (day ? `${Number(day)}日` : '');
}

/** Paragraphs and list items of a Markdown text (headings and blank lines dropped). */
function markdownBlocks(md: string): string[] {
  return md
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/^[-*] /, ''));
}

// ---------------------------------------------------------------- fixtures

let content: ContentBundle;
let fengmao: TownBundle;
const indicatorName = (id: string) => content.indicators.find((i) => i.id === id)!.name;

beforeAll(async () => {
  if (!existsSync(join(DIST, '404.html'))) throw new Error('dist/ is missing: run `npm run build` before these tests');
  await fetchLive();
  content = readContent();
  const t = content.towns.find((x) => x.town.id === 'fengmao');
  if (!t) throw new Error('content/towns/fengmao is missing');
  fengmao = t;
});

// ---------------------------------------------------------------- every page

describe('every built page', () => {
  const files = htmlFiles();

  it('includes the expected pages', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '404.html',
        'index.html',
        'compare/index.html',
        'towns/fengmao/index.html',
        'towns/fengmao/tasks/index.html',
        'towns/fengmao/group/index.html',
        'towns/fengmao/plan/index.html',
      ]),
    );
  });

  /** The public site ships no script at all (search is a plain form answered from D1). */
  const allowedScripts = (_f: string): string[] => [];

  /** The console's script: one module bundled by Astro from site/islands/console/entry.tsx. */
  const CONSOLE_SCRIPT = /^<script type="module" src="\/_astro\/Console\.astro_astro_type_script_index_0_lang\.[\w-]+\.js">$/;

  it.each(files)('%s is zh-CN (en under /en/), has one <h1>, a <main>, a skip link and no script but its allowed external ones', (f) => {
    const page = read(f);
    if (f === 'console/index.html') expect(page.split(EARLY_SIGNIN)).toHaveLength(2);
    const html = f === 'console/index.html' ? page.replace(EARLY_SIGNIN, '') : page;
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toMatch(f.startsWith('en/') ? /<html[^>]*\slang="en"/ : /<html[^>]*\slang="zh-CN"/);
    expect(html.match(/<h1[\s>]/g)?.length).toBe(1);
    expect(html.match(/<main[\s>]/g)?.length).toBe(1);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"');
    expect(html).toMatch(/<a class="skip-link" href="#main">/);
    expect(html).toMatch(/<main[^>]*\sid="main"/);
    const scripts = html.match(/<script[^>]*>/gi) ?? [];
    // The one exception is the staff console (/console/, not indexed): exactly one bundled module (and on /console/ its sign-in, above).
    if (f.startsWith('console/')) expect(scripts).toEqual([expect.stringMatching(CONSOLE_SCRIPT)]);
    else expect(scripts).toEqual(allowedScripts(f));
    // no inline script: every <script> has a src and is empty
    expect(html).not.toMatch(/<script[^>]*>[^<]+<\/script>/i);
    expect(html).not.toMatch(/\son[a-z]+="/i); // no inline event handlers
    expect(html).not.toMatch(/<astro-island|client:/);
  });

  it.each(files)('%s loads nothing from elsewhere and inlines its stylesheet', (f) => {
    const html = read(f);
    // hreflang alternates are absolute (the configured site origin), as search engines require; a
    // reporter's narrative may link out (http(s) only, rendered inert); nothing else is
    const own = withoutNarratives(html).replace(/<link rel="alternate" hreflang="[^"]+" href="[^"]+">/g, '');
    expect(own).not.toMatch(/\ssrc="(?:https?:)?\/\//i);
    expect(own).not.toMatch(/\s(?:src|href|srcset|action)="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/i);
    expect(html).not.toMatch(/@import|@font-face|url\(/i);
    expect(html).toMatch(/<style[\s>]/);
  });

  it.each(files)('%s: every internal link resolves to a built file (and anchor)', (f) => {
    const html = read(f);
    const base = new URL('/' + f.replace(/index\.html$/, ''), 'https://site.invalid');
    const broken: string[] = [];
    for (const [, href] of withoutNarratives(html).replace(/<link rel="alternate" hreflang="[^"]+" href="[^"]+">/g, '').matchAll(/\shref="([^"]*)"/g)) {
      const raw = decodeEntities(href);
      if (/^(mailto|tel):/.test(raw)) continue;
      const url = new URL(raw, base);
      expect(url.origin, `${f}: external link ${raw}`).toBe('https://site.invalid');
      if (url.pathname.startsWith('/api/')) continue; // served by the Worker (tests/worker)
      if (/^\/(en\/)?search\/$/.test(url.pathname)) continue; // rendered per query from D1 (tests/worker/search.test.ts)
      const target = fileFor(url.pathname);
      if (!target) {
        broken.push(raw);
        continue;
      }
      if (url.pathname !== '/' && !url.pathname.endsWith('/') && !/\.(html|csv|json|xml|svg|css|js|webmanifest)$/.test(url.pathname)) broken.push(`${raw} (no trailing slash)`);
      if (url.hash) {
        const id = decodeURIComponent(url.hash.slice(1));
        if (!target.includes(`id="${id}"`)) broken.push(`${raw} (no element #${id})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no two elements of a page share an id', () => {
    for (const f of files) {
      const ids = [...read(f).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i), f).toEqual([]);
    }
  });

  it('the stylesheet sets readable type: 20px base, line height ≥ 1.5, dark text on white', () => {
    const css = page('/').match(/<style[^>]*>([\s\S]*?)<\/style>/)![1];
    expect(css).toMatch(/html\s*\{[^}]*font-size:\s*20px/);
    const lh = Number(css.match(/body\s*\{[^}]*line-height:\s*([\d.]+)/)![1]);
    expect(lh).toBeGreaterThanOrEqual(1.5);
    expect(css).toMatch(/body\s*\{[^}]*color:\s*#1a1a1a/);
    expect(css).toMatch(/body\s*\{[^}]*background:\s*#fff(?:fff)?/);
    expect(css).toMatch(/PingFang SC.*Microsoft YaHei.*Noto Sans CJK SC.*sans-serif/);
    expect(css).toMatch(/@media print/);
  });
});

// ---------------------------------------------------------------- console

describe('the console pages (/console/)', () => {
  const consoleFiles = () => htmlFiles().filter((f) => f.startsWith('console/'));

  it('exist for every screen, and the public pages load no script of the console', () => {
    expect(consoleFiles()).toEqual(
      ['accounts', 'activate', 'audit', 'board', 'bulletins', 'draft', 'inspections', 'manage', 'region-board', 'region-bulletins', 'review', 'tasks'].map((s) => `console/${s}/index.html`).concat('console/index.html').sort(),
    );
    for (const f of htmlFiles().filter((x) => !x.startsWith('console/'))) expect(read(f), f).not.toContain('/_astro/');
  });

  it('are not indexed: noindex, not in the sitemap', () => {
    for (const f of consoleFiles()) {
      const html = read(f);
      expect(html, f).toContain('<meta name="robots" content="noindex, nofollow">');
    }
    const sitemap = [...readdirSync(DIST).filter((n) => /^sitemap-\d+\.xml$/.test(n)).map((n) => readFileSync(join(DIST, n), 'utf8')), read('sitemap-towns.xml')].join('');
    expect(sitemap).toContain('/towns/fengmao/');
    expect(sitemap).not.toContain('/console/');
  });

  it('hold no data and no secret: a heading, the island root and a message for browsers without script', () => {
    for (const f of consoleFiles()) {
      const html = read(f).replace(EARLY_SIGNIN, '');
      expect(html, f).toMatch(/<div id="console-app" data-screen="[a-z-]+">/);
      expect(html, f).toContain('<noscript>');
      // /console/ carries an empty sign-in form (typeable before the script arrives): its field names say
      // "password", but no input has a value and nothing else names a secret.
      expect(html, f).not.toMatch(/<input[^>]*\svalue=/);
      expect(html.replace(/\s(?:id|for|name|type|autocomplete)="[^"]*"/g, ''), f).not.toMatch(/token|password|Bearer/i);
    }
  });
});

// ---------------------------------------------------------------- home

describe('home page /', () => {
  it('explains the site and lists every town with its plan and document number', () => {
    const html = page('/');
    const t = text(html);
    expect(t).toContain('医养结合示范镇');
    for (const { town } of content.towns) {
      expect(t).toContain(town.name);
      // a place the plan does not state is shown with the editors' basis (issue 17)
      if (town.county) expect(t).toContain(town.county.value);
      expect(t).toContain(town.plan.title);
      expect(t).toContain(town.plan.doc_number);
      expect(html).toContain(`href="/towns/${town.id}/"`);
    }
  });

  it('links to the comparison page and lists every jurisdiction', () => {
    const html = page('/');
    expect(html).toContain('href="/compare/"');
    for (const j of content.jurisdictions) expect(text(html)).toContain(j.name);
  });
});

// ---------------------------------------------------------------- town overview

describe('Fengmao overview /towns/fengmao/', () => {
  let html: string;
  beforeAll(() => {
    html = page('/towns/fengmao/');
  });

  it('shows the plan and its document number', () => {
    expect(text(html)).toContain('冯政发〔2018〕24号');
    expect(text(html)).toContain(fengmao.town.plan.title);
  });

  it('shows every profile figure as written, with its label', () => {
    const t = text(html);
    for (const f of ['6106人', '35个行政村', '1.5万户', '5.8万人', '10.53%']) expect(t).toContain(f);
    for (const f of fengmao.town.profile) expect(t).toContain(squash(f.text + f.label));
  });

  it('shows the projects already under way', () => {
    for (const p of fengmao.town.projects) {
      expect(text(html)).toContain(p.name);
      for (const f of p.figures) expect(text(html)).toContain(squash(f.label + f.text));
    }
  });

  it('shows each milestone with its due date', () => {
    expect(fengmao.town.milestones.map((m) => m.label)).toEqual(['2018年年底', '2020年年底', '2022年年底']);
    for (const m of fengmao.town.milestones) {
      const section = text(slice(html, `milestone-${m.id}`, '</section>'));
      expect(section).toContain(m.label);
      expect(section).toContain(chineseDate(m.due));
    }
  });

  it('shows every target at its own milestone: numeric ones as written with the indicator name, qualitative ones as the goal', () => {
    let numeric = 0;
    for (const ind of fengmao.indicators) {
      for (const target of ind.targets) {
        const section = text(slice(html, `milestone-${target.milestone}`, '</section>'));
        if (target.kind === 'numeric') {
          numeric++;
          expect(section).toContain(squash(indicatorName(ind.indicator)));
          expect(section).toContain(squash(target.display));
          if (target.denominator) expect(section).toContain(squash(`${target.denominator.value}${target.denominator.unit}的${target.display}`));
        } else {
          expect(section).toContain(squash(target.text));
        }
      }
    }
    expect(numeric).toBeGreaterThan(0);
    const y2020 = text(slice(html, 'milestone-y2020', '</section>'));
    expect(y2020).toContain('35个行政村的三分之二');
    expect(y2020).toContain('75%以上');
    expect(text(slice(html, 'milestone-y2018', '</section>'))).toContain('70%以上');
    expect(text(slice(html, 'milestone-y2018', '</section>'))).not.toContain('75%以上');
  });

  it('says where the statuses come from and links to the progress page (D1 seeded with the fixture)', () => {
    expect(text(html)).toContain('下面的状态按各单位报告、经领导小组办公室审核通过的进展判断');
    expect(html).toContain('href="/towns/fengmao/progress/"');
    // 老年人家庭医生签约率 reached 72% by 2018-12-31 in the fixture: the 2018 card says 已达成
    expect(text(slice(html, 'milestone-y2018', '</section>'))).toContain('已达成');
    expect(text(slice(html, 'milestone-y2018', '</section>'))).toContain('未达成');
  });

  it('has breadcrumbs back to the home page', () => {
    expect(html).toMatch(/<nav class="breadcrumbs"[^>]*>[\s\S]*?href="\/"/);
  });
});

// ---------------------------------------------------------------- tasks

describe('Fengmao task tree /towns/fengmao/tasks/', () => {
  let html: string;
  beforeAll(() => {
    html = page('/towns/fengmao/tasks/');
  });
  const unitName = (id: string) => fengmao.units.find((u) => u.id === id)!.name;
  const member = (id: string) => fengmao.leading_group.members.find((m) => m.id === id)!;

  /** The part of the page that describes one task (for a parent: up to its deliverables). */
  const block = (id: string) => slice(html, `task-${id}`, /<ol class="task-list"|<\/li>/);

  it('lists all seven key tasks and the guarantees', () => {
    const keyTasks = fengmao.tasks.filter((t) => t.kind === 'key_task');
    expect(keyTasks).toHaveLength(7);
    for (const t of keyTasks) expect(text(html)).toContain(squash(t.title));
    for (const t of fengmao.tasks.filter((x) => x.kind === 'guarantee')) expect(text(html)).toContain(squash(t.title));
    expect(text(html)).toContain('重点任务');
    expect(text(html)).toContain('组织保障');
  });

  it('shows every task with its code, units (lead and support), lead member, due milestone and quote', () => {
    for (const t of fengmao.tasks) {
      const b = text(block(t.id));
      expect(b, t.id).toContain(squash(t.code + t.title));
      for (const u of t.units) expect(b, `${t.id} unit ${u.unit}`).toContain(unitName(u.unit));
      const lead = t.units.filter((u) => u.role === 'lead').map((u) => unitName(u.unit));
      if (lead.length) expect(b, t.id).toContain('牵头单位' + lead.join('、'));
      const support = t.units.filter((u) => u.role === 'support').map((u) => unitName(u.unit));
      if (support.length) expect(b, t.id).toContain('配合单位' + support.join('、'));
      if (t.lead_member) expect(b, t.id).toContain(squash(`${member(t.lead_member).name}（${member(t.lead_member).post}）`));
      expect(b, t.id).toContain(fengmao.town.milestones.find((m) => m.id === t.due)!.label);
      expect(b, t.id).toContain(squash(t.quote));
      expect(b, t.id).toMatch(/未报告|未开始|进行中|已完成|受阻/);
    }
    expect(text(block('kt4-institutions-linkage-mechanism'))).toContain('受阻40%逾期');
  });

  it('marks every inferred assignment with a visible note, and only those', () => {
    for (const t of fengmao.tasks) {
      const b = text(block(t.id));
      if (t.units_basis === 'inferred') expect(b, t.id).toContain('责任单位由编辑根据领导小组分工推定，以镇政府确认为准');
      else expect(b, t.id).not.toContain('责任单位由编辑根据领导小组分工推定');
    }
  });

  it('nests each deliverable inside its parent task', () => {
    for (const t of fengmao.tasks.filter((x) => x.parent)) {
      const parentStart = html.indexOf(`id="task-${t.parent}"`);
      const own = html.indexOf(`id="task-${t.id}"`);
      expect(parentStart).toBeGreaterThanOrEqual(0);
      expect(own).toBeGreaterThan(parentStart);
      // Between the parent and the child there is no closing of the parent's <li> at the parent's depth:
      // the child is inside the parent's <ol class="task-list">.
      const between = html.slice(parentStart, own);
      expect(between, t.id).toContain('<ol class="task-list"');
    }
  });
});

// ---------------------------------------------------------------- leading group

describe('Fengmao leading group /towns/fengmao/group/', () => {
  let html: string;
  beforeAll(() => {
    html = page('/towns/fengmao/group/');
  });

  it('lists every member with role, name and post in one table row', () => {
    const rows = [...html.matchAll(/<tr[\s>][\s\S]*?<\/tr>/g)].map((m) => text(m[0]));
    const roles = { leader: '组长', deputy_leader: '副组长', member: '成员' } as const;
    for (const m of fengmao.leading_group.members) {
      const row = rows.find((r) => r.includes(m.name) && r.includes(squash(m.post)));
      expect(row, m.name).toBeDefined();
      expect(row!.startsWith(roles[m.role]), m.name).toBe(true);
    }
    expect(rows.length - 1).toBe(fengmao.leading_group.members.length); // minus the header row
  });

  it('has every name of the member list printed in the plan', () => {
    const list = fengmao.plan_markdown.split('## 冯卯镇推进医养结合工作领导小组成员名单')[1];
    const printed = markdownBlocks(list)
      .filter((l) => !l.startsWith('领导小组办公室'))
      .map((l) => squash(l.replace(/^[^：]*：/, ''))); // "组  长：田  琨  镇党委…" → "田琨镇党委…"
    expect(printed.length).toBe(fengmao.leading_group.members.length);
    const t = text(html);
    for (const p of printed) {
      const m = fengmao.leading_group.members.find((x) => p.startsWith(x.name))!;
      expect(m, p).toBeDefined();
      expect(t).toContain(m.name + squash(m.post));
    }
  });

  it('shows the office: where it sits, its director and deputies', () => {
    const { office } = fengmao.leading_group;
    const t = text(html);
    const name = (id: string) => fengmao.leading_group.members.find((m) => m.id === id)!.name;
    expect(t).toContain('设在' + fengmao.units.find((u) => u.id === office.unit)!.name);
    expect(t).toContain('主任' + name(office.director));
    for (const d of office.deputies) expect(t).toContain(name(d));
    expect(t).toContain(squash(office.quote));
  });

  it('lists every unit', () => {
    for (const u of fengmao.units) expect(text(html)).toContain(u.name);
  });
});

// ---------------------------------------------------------------- plan

describe('Fengmao plan /towns/fengmao/plan/', () => {
  let html: string;
  beforeAll(() => {
    html = page('/towns/fengmao/plan/');
  });

  it('shows the document number, title and issuer', () => {
    const t = text(html);
    expect(t).toContain('文号冯政发〔2018〕24号');
    expect(t).toContain(fengmao.town.plan.title);
    expect(t).toContain('发文单位' + fengmao.town.plan.issuer!.value + '编者推定');
  });

  it('contains the full text: every paragraph and list item of plan.md', () => {
    const t = text(html);
    const blocks = markdownBlocks(fengmao.plan_markdown);
    expect(blocks.length).toBeGreaterThan(40);
    for (const b of blocks) expect(t, b.slice(0, 40)).toContain(squash(b));
    // a few long paragraphs spelled out, so a renderer that drops text cannot pass unnoticed
    expect(t).toContain('全镇辖35个行政村，1.5万户，5.8万人，其中65岁以上老年人6106人，占总人口的10.53%。');
    expect(t).toContain('到2020年年底，以居家为基础、社区为依托、机构为补充、医养相结合的养老服务体系全面建成。');
    expect(t).toContain('镇纪委、组织、卫计、民政等单位将抽调精干力量，定期不定期开展督导检查');
  });

  it('has a table of contents linking to every section heading', () => {
    const toc = html.slice(html.indexOf('id="toc-heading"'), html.indexOf('</nav>', html.indexOf('id="toc-heading"')));
    for (const s of fengmao.town.plan.sections) {
      const link = [...toc.matchAll(/<a href="#([^"]+)">([^<]+)<\/a>/g)].find((m) => m[2] === s.heading);
      expect(link, s.heading).toBeDefined();
      const id = decodeURIComponent(link![1]);
      expect(html).toMatch(new RegExp(`<h[23] id="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">`));
    }
  });
});

// ---------------------------------------------------------------- comparison

describe('comparison /compare/', () => {
  let html: string;
  beforeAll(() => {
    html = page('/compare/');
  });

  it('opens with a notice that the figures are reported by those governments, for comparison only', () => {
    const notice = html.indexOf('class="notice"');
    expect(notice).toBeGreaterThan(0);
    expect(notice).toBeLessThan(html.indexOf('<table'));
    const t = text(html.slice(notice, html.indexOf('</div>', notice)));
    expect(t).toContain('只供对照参考');
    expect(t).toContain('不是哪个镇的创建进度');
  });

  it('shows every jurisdiction and every figure it reported, with label, date and quote', () => {
    for (const j of content.jurisdictions) {
      const section = text(slice(html, `place-${j.id}`, /<h3 id="place-|<\/main>/));
      expect(section, j.id).toContain(j.name);
      for (const r of j.reports) {
        expect(section).toContain(r.issuer);
        if (r.doc_number) expect(section).toContain(r.doc_number);
        expect(section).toContain(r.date ? chineseDate(r.date) : '原文没有日期');
        if (r.note) expect(section).toContain(squash(r.note));
        for (const f of r.figures) {
          expect(section, `${j.id}/${f.id}`).toContain(squash(f.label + f.text));
          expect(section, `${j.id}/${f.id}`).toContain(squash(f.quote));
          // undated figures: 原文未写时点; a period the source words (2021年以来) as written (issue 17)
          expect(section, `${j.id}/${f.id}`).toContain(f.as_of_text ?? (f.as_of ? chineseDate(f.as_of) : '原文未写时点'));
        }
      }
    }
  });

  it('has one table per catalogue indicator with reported figures, with the town targets beside it', () => {
    const compared = content.indicators.filter((i) => content.jurisdictions.some((j) => j.reports.some((r) => r.figures.some((f) => f.indicator === i.id))));
    expect(compared.length).toBeGreaterThan(0);
    for (const ind of compared) {
      const section = slice(html, `indicator-${ind.id}`, /<h3 id="/);
      expect(section).toContain('<table');
      const t = text(section);
      expect(t).toContain(squash(ind.name));
      for (const j of content.jurisdictions) {
        for (const r of j.reports) {
          for (const f of r.figures.filter((x) => x.indicator === ind.id)) {
            expect(t, `${ind.id}: ${j.id}/${f.id}`).toContain(j.name);
            expect(t, `${ind.id}: ${j.id}/${f.id}`).toContain(squash(f.text));
            expect(t, `${ind.id}: ${j.id}/${f.id}`).toContain(f.as_of_text ?? (f.as_of ? chineseDate(f.as_of) : '原文未写时点'));
            expect(t, `${ind.id}: ${j.id}/${f.id}`).toContain(squash(r.title.replace(/《/g, '〈').replace(/》/g, '〉')));
          }
        }
      }
      for (const town of content.towns) {
        const own = town.indicators.find((i) => i.indicator === ind.id);
        for (const target of own?.targets ?? []) {
          expect(t, `${ind.id}: ${town.town.id} target`).toContain(town.town.name + '的目标');
          expect(t, `${ind.id}: ${town.town.id} target`).toContain(squash(target.kind === 'numeric' ? target.display : target.text));
        }
      }
    }
    // the headline comparison: Fengmao's family doctor target beside Jilin's, Tengzhou's and Weihai's rates
    const fd = text(slice(html, 'indicator-family-doctor-signing-elderly', /<h3 id="/));
    for (const s of ['吉林市', '69%', '滕州市', '71.6%', '威海市', '80%以上', '冯卯镇的目标', '70%以上']) expect(fd).toContain(s);
  });
});

// ---------------------------------------------------------------- 404

describe('404.html', () => {
  it('says the page does not exist and links home', () => {
    const html = page('/404.html');
    expect(text(html)).toContain('页面不存在');
    expect(html).toMatch(/<main[\s\S]*href="\/"[\s\S]*<\/main>/);
  });
});
