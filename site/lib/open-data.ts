/**
 * The open-data files of a town, rendered at request time from the same view the pages show:
 * CSV (UTF-8 with BOM so spreadsheet programs read the Chinese; cells that a spreadsheet
 * would run as a formula are neutralised), JSON, and an Atom feed. Pure functions.
 */
import type { IndicatorDef, TownBundle } from '../../worker/domain/content.ts';
import type { ProgressView } from '../../worker/domain/public-view.ts';
import { targetDisplay, townLookups } from './view.ts';

type Cell = string | number | boolean | null | undefined;

/** A cell as CSV: quoted; text beginning with = + - @ or a control character gets a leading ' (OWASP CSV injection). */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const safe = /^[=+\-@\t\r\n]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** A CSV file: BOM, header row, CRLF line ends (RFC 4180). */
export function csv(header: string[], rows: Cell[][]): string {
  return '\uFEFF' + [header.map(csvCell), ...rows.map((r) => r.map(csvCell))].map((r) => r.join(',')).join('\r\n') + '\r\n';
}

/** Every record the downloads hold, in one shape (the JSON file; the CSVs are its tables). */
export function townData(t: TownBundle, catalogue: IndicatorDef[], v: ProgressView) {
  const L = townLookups(t, catalogue);
  const taskDef = new Map(t.tasks.map((x) => [x.id, x]));
  return {
    // Facts the plan may not state carry their basis ({value, basis, note?, quote?}) or are null (issue 17).
    town: {
      id: t.town.id,
      name: t.town.name,
      name_en: t.town.name_en ?? null,
      province: t.town.province ?? null,
      city: t.town.city ?? null,
      county: t.town.county ?? null,
      /** Demonstration data, not a real town's plan. */
      demo: t.town.demo,
    },
    plan: { title: t.town.plan.title, doc_number: t.town.plan.doc_number, issuer: t.town.plan.issuer ?? null },
    generated_at: v.data?.generated_at ?? null,
    updated_at: v.data?.updated_at ?? null,
    judged_as_of: v.today,
    targets: v.milestones.flatMap((m) =>
      m.cards.map((c) => ({
        indicator: c.indicator.id,
        indicator_name: c.indicator.name,
        indicator_name_en: c.indicator.name_en,
        milestone: m.milestone.id,
        due: m.milestone.due,
        kind: c.target.kind,
        comparator: c.target.kind === 'numeric' ? c.target.comparator : null,
        target_value: c.target.kind === 'numeric' ? c.target.value : null,
        unit: c.target.kind === 'numeric' ? c.target.unit : null,
        target_text: targetDisplay(c.target),
        value_at_due: c.at_due?.value ?? null,
        value_at_due_as_of: c.at_due?.as_of ?? null,
        latest_value: c.latest?.value ?? null,
        latest_as_of: c.latest?.as_of ?? null,
        latest_source: c.latest?.source ?? null,
        tasks_done: c.tasks.done,
        tasks_total: c.tasks.total,
        status: c.status,
      })),
    ),
    tasks: t.tasks.map((d) => {
      const p = v.tasks.get(d.id)!;
      return {
        id: d.id,
        code: d.code,
        parent: d.parent ?? null,
        kind: d.kind,
        title: d.title,
        lead_units: d.units.filter((u) => u.role === 'lead').map((u) => L.unit(u.unit).name),
        support_units: d.units.filter((u) => u.role === 'support').map((u) => L.unit(u.unit).name),
        due: p.due,
        units_basis: d.units_basis,
        due_basis: d.due_basis,
        state: p.state,
        percent: p.percent,
        deadline_passed: p.deadline_passed,
        overdue: p.overdue,
        last_update: p.last?.id ?? null,
      };
    }),
    updates: [...v.timeline].reverse().map((u) => ({
      id: u.id,
      approved_at: u.approved_at,
      task: u.task,
      task_code: taskDef.get(u.task)?.code ?? null,
      unit: L.unit(u.unit).name,
      status: u.status,
      percent: u.percent,
      narrative: u.narrative,
    })),
    values: v.data?.values ?? [],
    bulletins: v.data?.bulletins ?? [],
  };
}
export type TownData = ReturnType<typeof townData>;

const TABLES = {
  targets: ['indicator', 'indicator_name', 'indicator_name_en', 'milestone', 'due', 'kind', 'comparator', 'target_value', 'unit', 'target_text', 'value_at_due', 'value_at_due_as_of', 'latest_value', 'latest_as_of', 'latest_source', 'tasks_done', 'tasks_total', 'status'],
  tasks: ['id', 'code', 'parent', 'kind', 'title', 'lead_units', 'support_units', 'units_basis', 'due', 'due_basis', 'state', 'percent', 'deadline_passed', 'overdue', 'last_update'],
  updates: ['id', 'approved_at', 'task', 'task_code', 'unit', 'status', 'percent', 'narrative'],
} as const;

/** One table of the town's data as CSV. */
export function tableCsv(d: TownData, table: keyof typeof TABLES): string {
  const cols = TABLES[table] as readonly string[];
  const rows = (d[table] as Record<string, unknown>[]).map((r) => cols.map((c) => (Array.isArray(r[c]) ? (r[c] as string[]).join('、') : (r[c] as Cell))));
  return csv([...cols], rows);
}

/**
 * Text as XML 1.0 character data: markup escaped, and the characters XML forbids (C0 controls other
 * than tab and newlines, lone surrogates, U+FFFE/U+FFFF — a Word paste brings U+000B) left out, so one
 * narrative cannot make a town's feed unreadable.
 */
export const esc = (s: string) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An Atom feed of the town's approved updates and published bulletins, newest first. */
export function atomFeed(d: TownData, site: URL, title: string, taskTitle: (id: string) => string): string {
  const host = site.hostname;
  const page = new URL(`/towns/${d.town.id}/progress/`, site).href;
  const entries = [
    ...d.updates.map((u) => ({
      id: `tag:${host},2018:${d.town.id}/update/${u.id}`,
      updated: u.approved_at,
      title: `${u.task_code ?? ''} ${taskTitle(u.task)}：${u.percent}%`,
      link: `${page}#update-${u.id}`,
      summary: `${u.unit}：${u.narrative}`,
    })),
    ...d.bulletins.map((b) => ({
      id: `tag:${host},2018:${d.town.id}/bulletin/${b.id}`,
      updated: `${b.issued_on}T00:00:00Z`,
      title: `${b.number} ${b.title}`,
      link: b.url ? new URL(b.url, site).href : `${page}#bulletins`,
      summary: b.summary ?? b.title,
    })),
  ].sort((a, b) => b.updated.localeCompare(a.updated));
  const updated = entries[0]?.updated ?? d.generated_at ?? '2018-01-01T00:00:00Z';
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>tag:${host},2018:${d.town.id}/feed</id>
  <title>${esc(title)}</title>
  <updated>${updated}</updated>
  <link rel="alternate" type="text/html" href="${page}"/>
  <link rel="self" type="application/atom+xml" href="${new URL(`/towns/${d.town.id}/feed.xml`, site).href}"/>
  <author><name>${esc(d.plan.issuer?.value ?? d.town.name)}</name></author>
${entries
  .map(
    (e) => `  <entry>
    <id>${e.id}</id>
    <title>${esc(e.title)}</title>
    <updated>${e.updated}</updated>
    <link rel="alternate" type="text/html" href="${esc(e.link)}"/>
    <summary>${esc(e.summary)}</summary>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}
