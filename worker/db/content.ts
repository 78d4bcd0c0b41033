/**
 * The content loader: turns a validated ContentBundle into idempotent statements.
 *
 * Running the same content twice changes nothing: every upsert only writes when a value
 * differs, and the audit row is written only for a content hash not loaded before.
 * Progress columns of tasks (status, percent, version) are never touched here, nor are the task
 * fields the office edited through the API (pinned in tasks.console_fields; see worker/db/tasks.ts).
 * Rows that content/ no longer lists are removed from link tables and targets; towns,
 * units, members, milestones and tasks are kept (later updates may refer to them).
 */
import type { AttributedText, ContentBundle, Region, TownBundle, TownDocument } from '../domain/content.ts';
import { townRegions } from '../domain/regions.ts';
import { keepOnly, stmt, upsert, upsertRows, type SqlValue, type Stmt } from './sql.ts';
import { PINNED_COLUMNS, pinnedSql } from './tasks.ts';
import { newTownSearchStmts, targetLine, townSearchStmts } from './search.ts';
import { townSearchDocs, type SearchSource } from '../domain/search.ts';

/** Hex SHA-256 of a value's JSON (Web Crypto: works in Node and workerd). */
async function sha256(v: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(v)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The files outside towns/, as the loader writes them (worker/content/parse.ts's ContentGlobals). */
type Globals = Pick<ContentBundle, 'indicators' | 'jurisdictions' | 'regions'>;

/** Hex SHA-256 of one town's canonical JSON: its part of the content hash. */
export const townHash = (t: TownBundle): Promise<string> => sha256(t);

/**
 * The content hash from its parts: the files outside towns/ and each town's hash, in town order.
 * Built from per-town hashes so that a load which re-reads only the towns that changed
 * (worker/cli/load-content.ts) records the same hash as one that read them all.
 */
export const contentHashOf = (g: Globals, townHashes: string[]): Promise<string> =>
  sha256({ indicators: g.indicators, towns: townHashes, jurisdictions: g.jurisdictions, regions: g.regions });

/** Hex SHA-256 of the bundle's content (contentHashOf its parts). */
export const contentHash = async (bundle: ContentBundle): Promise<string> => contentHashOf(bundle, await Promise.all(bundle.towns.map(townHash)));

/** A town's line in the content load's audit summary. */
export interface TownLoadSummary {
  id: string;
  tasks: number;
  indicators: number;
  members: number;
}
export const townLoadSummary = (t: TownBundle): TownLoadSummary => ({ id: t.town.id, tasks: t.tasks.length, indicators: t.indicators.length, members: t.leading_group.members.length });

/** The audit summary of a content load. */
export const loadSummary = (g: Globals, towns: TownLoadSummary[]): string =>
  json({ indicators: g.indicators.length, towns, jurisdictions: g.jurisdictions.map((j) => j.id), regions: g.regions.map((r) => r.id) });

/** What search indexes of a town of the bundle (worker/domain/search.ts). */
function searchSource(t: TownBundle, bundle: Pick<ContentBundle, 'indicators'>): SearchSource {
  const name = new Map(bundle.indicators.map((i) => [i.id, i.name]));
  const label = new Map(t.town.milestones.map((m) => [m.id, m.label]));
  const due = new Map(t.town.milestones.map((m) => [m.id, m.due]));
  return {
    plan_markdown: t.plan_markdown,
    tasks: t.tasks.map((x) => ({ id: x.id, code: x.code, title: x.title, quote: x.quote })),
    targets: t.indicators.map((ind) => ({
      indicator: ind.indicator,
      name: name.get(ind.indicator) ?? ind.indicator,
      lines: [...ind.targets]
        .sort((a, b) => (due.get(a.milestone) ?? '').localeCompare(due.get(b.milestone) ?? ''))
        .map((tg) => targetLine(label.get(tg.milestone) ?? tg.milestone, tg.kind === 'numeric' ? tg.display : tg.text)),
    })),
  };
}

/** A town's search entries, replaced only when they changed (the digest covers the index terms' scheme too). */
async function townSearch(t: TownBundle, bundle: Pick<ContentBundle, 'indicators'>, fresh = false): Promise<Stmt[]> {
  const docs = townSearchDocs(searchSource(t, bundle));
  const digest = await sha256({ scheme: 'bigram-1', docs });
  return fresh ? newTownSearchStmts(t.town.id, docs, digest) : townSearchStmts(t.town.id, docs, digest);
}

const json = (v: unknown): string => JSON.stringify(v);

/** The value column and the basis entry of optional, attributed facts (stored as value + basis_json). */
function attributedColumns(facts: Record<string, AttributedText | { value: string; basis: string; note?: string; quote?: string } | undefined>) {
  const values: Record<string, string | null> = {};
  const basis: Record<string, { basis: string; note?: string; quote?: string }> = {};
  for (const [k, f] of Object.entries(facts)) {
    values[k] = f?.value ?? null;
    if (f) basis[k] = { basis: f.basis, ...(f.note ? { note: f.note } : {}), ...(f.quote ? { quote: f.quote } : {}) };
  }
  return { ...values, basis_json: json(basis) };
}

/** The town's content as D1 keeps it whole (towns.document_json): everything but tasks and plan text. */
export function townDocument(t: TownBundle): TownDocument {
  const { tasks: _tasks, plan_markdown: _text, ...doc } = t;
  return doc;
}

/**
 * One town's rows. `fresh`: the database holds no row of this town yet (no towns row, and every
 * other table's rows name their town), so the statements that remove rows content/ no longer lists,
 * and the guards for fields the office pinned, have nothing to act on and are left out — at 1,000
 * new towns that is ~300,000 statements fewer (issue 23).
 */
function townStatements(t: TownBundle, now: string, allRegions: Region[], fresh = false): Stmt[] {
  const town = t.town.id;
  const regions = townRegions(t.town, allRegions);
  const out: Stmt[] = [];
  // A new town's rows are gathered per table and written a few statements per table (upsertRows),
  // tables in the order first used here, which is foreign-key order.
  const batches = new Map<string, { keys: string[]; opts: { touch?: string[]; bump?: string }; rows: Record<string, SqlValue>[] }>();
  const put = (table: string, keys: string[], row: Record<string, SqlValue>, opts: Parameters<typeof upsert>[3] = {}) => {
    if (!fresh) return void out.push(upsert(table, keys, row, opts));
    let b = batches.get(table);
    if (!b) batches.set(table, (b = { keys, opts: { touch: opts.touch, bump: opts.bump }, rows: [] }));
    b.rows.push(row);
  };
  put(
    'towns',
    ['id'],
    {
      id: town,
      name: t.town.name,
      ...attributedColumns({ name_en: t.town.name_en, province: t.town.province, city: t.town.city, county: t.town.county }),
      demo: t.town.demo ? 1 : 0,
      profile_json: json(t.town.profile),
      projects_json: json(t.town.projects),
      document_json: json(townDocument(t)),
      county_region_id: regions.county,
      city_region_id: regions.city,
      updated_at: now,
    },
    { touch: ['updated_at'] },
  );
  const p = t.town.plan;
  put(
    'plans',
    ['town_id'],
    {
      town_id: town,
      title: p.title,
      doc_number: p.doc_number,
      ...attributedColumns({ issuer: p.issuer, issued_on: p.issued_on }),
      year: p.year,
      sections_json: json(p.sections),
      body_markdown: t.plan_markdown,
      updated_at: now,
    },
    { touch: ['updated_at'] },
  );
  for (const m of t.town.milestones) {
    put('milestones', ['town_id', 'id'], { town_id: town, id: m.id, year: m.year, label: m.label, due: m.due });
  }
  t.units.forEach((u, i) =>
    put('units', ['town_id', 'id'], { town_id: town, id: u.id, name: u.name, kind: u.kind, supervises: u.supervises ? 1 : 0, ordinal: i }),
  );
  const g = t.leading_group;
  put('leading_groups', ['town_id'], { town_id: town, name: g.name, office_unit_id: g.office.unit, office_quote: g.office.quote });
  g.members.forEach((m, i) => {
    const officeRole = m.id === g.office.director ? 'director' : g.office.deputies.includes(m.id) ? 'deputy_director' : null;
    put('members', ['town_id', 'id'], {
      town_id: town,
      id: m.id,
      name: m.name,
      role: m.role,
      post: m.post,
      office_role: officeRole,
      ordinal: i,
    });
    if (!fresh) out.push(keepOnly('member_units', { town_id: town, member_id: m.id }, 'unit_id', m.units));
    for (const u of m.units) put('member_units', ['town_id', 'member_id', 'unit_id'], { town_id: town, member_id: m.id, unit_id: u });
  });

  const indicatorIds = t.indicators.map((i) => i.indicator);
  if (!fresh) out.push(keepOnly('indicator_targets', { town_id: town }, 'indicator_id', indicatorIds));
  t.indicators.forEach((ind, i) => {
    put('town_indicators', ['town_id', 'indicator_id'], {
      town_id: town,
      indicator_id: ind.indicator,
      baseline_value: ind.baseline?.value ?? null,
      baseline_as_of: ind.baseline?.as_of ?? null,
      baseline_source: ind.baseline?.source ?? null,
      ordinal: i,
    });
    const ms = ind.targets.map((x) => x.milestone);
    if (!fresh) out.push(keepOnly('indicator_targets', { town_id: town, indicator_id: ind.indicator }, 'milestone_id', ms));
    for (const tg of ind.targets) {
      const row: Record<string, SqlValue> =
        tg.kind === 'numeric'
          ? {
              comparator: tg.comparator,
              value: tg.value,
              unit: tg.unit,
              display: tg.display,
              denominator_value: tg.denominator?.value ?? null,
              denominator_unit: tg.denominator?.unit ?? null,
              text: null,
            }
          : { comparator: null, value: null, unit: null, display: null, denominator_value: null, denominator_unit: null, text: tg.text };
      put('indicator_targets', ['town_id', 'indicator_id', 'milestone_id'], {
        town_id: town,
        indicator_id: ind.indicator,
        milestone_id: tg.milestone,
        kind: tg.kind,
        ...row,
        quote: tg.quote,
      });
    }
  });
  if (!fresh) out.push(keepOnly('town_indicators', { town_id: town }, 'indicator_id', indicatorIds));

  t.tasks.forEach((task, i) => {
    // Fields the office edited through the API are pinned (tasks.console_fields, migration 0007):
    // the loader keeps the stored value of a pinned field instead of writing content/'s back.
    put(
      'tasks',
      ['town_id', 'id'],
      {
        town_id: town,
        id: task.id,
        parent_id: task.parent ?? null,
        code: task.code,
        kind: task.kind,
        title: task.title,
        quote: task.quote,
        units_basis: task.units_basis,
        lead_member_id: task.lead_member ?? null,
        due_milestone_id: task.due,
        due_basis: task.due_basis,
        weight: task.weight,
        ordinal: i,
        updated_at: now,
      },
      { touch: ['updated_at'], bump: 'version', keepWhen: PINNED_COLUMNS },
    );
    const unitIds = task.units.map((u) => u.unit);
    // A new town's tasks were inserted just now, pinning nothing.
    const unitsFree = fresh ? undefined : stmt(`NOT EXISTS (SELECT 1 FROM tasks WHERE town_id = ? AND id = ? AND ${pinnedSql('units', 'tasks')})`, town, task.id);
    if (unitsFree) out.push(keepOnly('task_units', { town_id: town, task_id: task.id }, 'unit_id', unitIds, unitsFree));
    task.units.forEach((u, j) =>
      put('task_units', ['town_id', 'task_id', 'unit_id'], { town_id: town, task_id: task.id, unit_id: u.unit, role: u.role, ordinal: j }, unitsFree ? { onlyIf: unitsFree } : {}),
    );
    if (!fresh) out.push(keepOnly('task_indicators', { town_id: town, task_id: task.id }, 'indicator_id', task.indicators));
    for (const ind of task.indicators) {
      put('task_indicators', ['town_id', 'task_id', 'indicator_id'], { town_id: town, task_id: task.id, indicator_id: ind });
    }
  });
  for (const [table, b] of batches) out.push(...upsertRows(table, b.keys, b.rows, b.opts));
  return out;
}

/** The indicator catalogue and the regions: written before any town (towns name their regions). */
export function headStatements(g: Globals): Stmt[] {
  const out: Stmt[] = [];
  g.indicators.forEach((d, i) =>
    out.push(
      upsert('indicators', ['id'], {
        id: d.id,
        name: d.name,
        name_en: d.name_en,
        kind: d.kind,
        unit: d.unit ?? null,
        direction: d.direction,
        definition: d.definition ?? null,
        document_json: json(d),
        ordinal: i,
      }),
    ),
  );
  // Cities before counties (a county names its city); both before the towns that name them.
  [...g.regions].sort((a, b) => Number(a.level === 'county') - Number(b.level === 'county')).forEach((r) =>
    out.push(
      upsert('regions', ['id'], {
        id: r.id,
        name: r.name,
        level: r.level,
        city_id: r.city?.region ?? null,
        jurisdiction_id: r.jurisdiction ?? null,
        document_json: json(r),
        ordinal: g.regions.indexOf(r),
      }),
    ),
  );
  return out;
}

/**
 * One town's statements (its rows and search entries). With `source` (the digest of the files it
 * was read from, its townHash, and whether the database holds no row of it yet), the town's row of content_towns records them, so that the next
 * load can skip the town while those files are unchanged; without, that row is removed (the next
 * load from files re-reads the town).
 */
export async function townContentStatements(t: TownBundle, g: Globals, now: string, source?: { digest: string; hash: string; fresh?: boolean }): Promise<Stmt[]> {
  const out = [...townStatements(t, now, g.regions, source?.fresh), ...(await townSearch(t, g, source?.fresh))];
  out.push(
    source
      ? upsert('content_towns', ['town_id'], { town_id: t.town.id, source_digest: source.digest, town_hash: source.hash, summary_json: json(townLoadSummary(t)) })
      : stmt(`DELETE FROM content_towns WHERE town_id = ?`, t.town.id),
  );
  return out;
}

/** The ids of the towns the database holds (a town not among them is new: townContentStatements' `fresh`). */
export const townIdsStmt = (): Stmt => stmt(`SELECT id FROM towns`);

/** What the loader knows of each town it loaded from files: content_towns joined with towns. */
export const contentTownsStmt = (): Stmt =>
  stmt(`SELECT c.town_id, c.source_digest, c.town_hash, c.summary_json, t.demo FROM content_towns c JOIN towns t ON t.id = c.town_id`);

/** The jurisdictions, their reports and figures. */
export function jurisdictionStatements(g: Globals): Stmt[] {
  const out: Stmt[] = [];
  g.jurisdictions.forEach((j, i) => {
    out.push(upsert('jurisdictions', ['id'], { id: j.id, name: j.name, name_en: j.name_en, level: j.level, ...attributedColumns({ province: j.province }), document_json: json(j), ordinal: i }));
    j.reports.forEach((r, ri) => {
      out.push(
        upsert('jurisdiction_reports', ['id'], {
          id: r.id,
          jurisdiction_id: j.id,
          title: r.title,
          doc_number: r.doc_number ?? null,
          issuer: r.issuer,
          date: r.date ?? null,
          addressee: r.addressee ?? null,
          source_file: r.source_file,
          note: r.note ?? null,
          ordinal: ri,
        }),
      );
      // figures no longer in the report are removed (json_each keeps it under D1's 100-parameter limit)
      out.push(
        stmt(
          `DELETE FROM jurisdiction_figures WHERE report_id = ? AND id NOT IN (SELECT value FROM json_each(?))`,
          r.id,
          json(r.figures.map((f) => f.id)),
        ),
      );
      r.figures.forEach((f, fi) =>
        out.push(
          upsert('jurisdiction_figures', ['report_id', 'id'], {
            report_id: r.id,
            id: f.id,
            indicator_id: f.indicator ?? null,
            label: f.label,
            value: f.value,
            unit: f.unit,
            qualifier: f.qualifier,
            text: f.text,
            as_of: f.as_of ?? null,
            as_of_text: f.as_of_text ?? null,
            scope_note: f.scope_note ?? null,
            quote: f.quote,
            ordinal: fi,
          }),
        ),
      );
    });
  });
  return out;
}

/** The audit row of a load: written only for a content hash not loaded before. */
export const loadAuditStmt = (hash: string, summary: string, now: string, actor = 'system:content-loader'): Stmt =>
  stmt(
    `INSERT INTO audit_log (at, actor, action, entity, entity_id, detail_json)
     SELECT ?, ?, 'content.load', 'content', ?, ? WHERE NOT EXISTS (SELECT 1 FROM content_loads WHERE hash = ?)`,
    now,
    actor,
    hash,
    summary,
    hash,
  );

/** A load's last statements: stale town summaries dropped, the snapshot recorded (after its audit row). */
export const closingStatements = (hash: string, summary: string, now: string): Stmt[] => [
  // New content: every town's summary is recomputed by the next page that shows it (migration 0013).
  stmt(`DELETE FROM town_summaries WHERE NOT EXISTS (SELECT 1 FROM content_loads WHERE hash = ?)`, hash),
  stmt(`INSERT INTO content_loads (hash, loaded_at, summary) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING`, hash, now, summary),
];

/** Every statement that brings the database in line with `bundle`, in foreign-key order, audit row first. */
export async function contentStatements(bundle: ContentBundle, now: string, actor = 'system:content-loader'): Promise<Stmt[]> {
  const hash = await contentHash(bundle);
  const summary = loadSummary(bundle, bundle.towns.map(townLoadSummary));
  const out: Stmt[] = [loadAuditStmt(hash, summary, now, actor), ...headStatements(bundle)];
  for (const t of bundle.towns) out.push(...(await townContentStatements(t, bundle, now)));
  out.push(...jurisdictionStatements(bundle), ...closingStatements(hash, summary, now));
  return out;
}

/** The newest content load (hash and time), for the loader's closing line. */
export const latestLoadStmt = (): Stmt => stmt(`SELECT hash, loaded_at FROM content_loads ORDER BY loaded_at DESC LIMIT 1`);
