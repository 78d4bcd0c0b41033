/**
 * The open-data files of a town, rendered at request time from the same view the pages show:
 * CSV (UTF-8 with BOM so spreadsheet programs read the Chinese; cells that a spreadsheet
 * would run as a formula are neutralised), JSON, and an Atom feed. Pure functions.
 */
import type { TownProgress } from '../../worker/domain/public-model.ts';
import type { RegionView } from '../../worker/domain/region-view.ts';
import type { RegionFeedEntry } from '../../worker/db/regions.ts';

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

/** Every record a town's downloads hold, in one shape: the public read model (worker/domain/public-model.ts). */
export type TownData = TownProgress;

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

/** The region's table of towns as CSV: the fields of RegionView.towns, one column per milestone year. */
export function regionTownsCsv(v: RegionView): string {
  const years = v.milestones.map((m) => m.year);
  const header = ['town', 'name', 'demo', 'reported', ...years.flatMap((y) => [`targets_met_${y}`, `targets_${y}`]), 'deliverables_total', 'completed', 'in_progress', 'blocked', 'not_started', 'not_reported', 'overdue', 'completed_share', 'targets_met', 'rank', 'tied', 'updated_at'];
  const rows = v.towns.map((t) => [
    t.town,
    t.name,
    t.demo,
    t.reported,
    ...years.flatMap((y) => {
      const m = t.milestones.find((x) => x.year === y);
      // A town with no report has no count of targets met: empty, never 0.
      return [m && t.reported ? m.met : null, m ? m.total : null];
    }),
    t.deliverables.total,
    t.deliverables.completed,
    t.deliverables.in_progress,
    t.deliverables.blocked,
    t.deliverables.not_started,
    t.deliverables.not_reported,
    t.deliverables.overdue,
    t.completed_share === null ? null : Math.round(t.completed_share * 1000) / 1000,
    t.targets_met,
    t.rank,
    t.tied,
    t.updated_at,
  ]);
  return csv(header, rows);
}

/** An Atom feed of a region's towns' approvals and published bulletins, newest first. */
export function regionFeed(region: string, entries: RegionFeedEntry[], site: URL, title: string, updatedAt: string | null): string {
  const host = site.hostname;
  const page = new URL(`/regions/${region}/`, site).href;
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <id>tag:${host},2018:region/${region}/feed</id>
  <title>${esc(title)}</title>
  <updated>${entries[0]?.at ?? updatedAt ?? '2018-01-01T00:00:00Z'}</updated>
  <link rel="alternate" type="text/html" href="${page}"/>
  <link rel="self" type="application/atom+xml" href="${new URL(`/regions/${region}/feed.xml`, site).href}"/>
  <author><name>${esc(title)}</name></author>
${entries
  .map(
    (e) => `  <entry>
    <id>tag:${host},2018:${e.town}/${e.kind}/${e.id}</id>
    <title>${esc(e.title)}</title>
    <updated>${e.kind === 'bulletin' && e.at.length === 10 ? `${e.at}T00:00:00Z` : e.at}</updated>
    <link rel="alternate" type="text/html" href="${esc(new URL(e.url ?? page, site).href)}"/>
    <summary>${esc(e.summary)}</summary>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}
