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
import { placeholders, stmt, upsert, type SqlValue, type Stmt } from './sql.ts';
import { PINNED_COLUMNS, pinnedSql } from './tasks.ts';
import { targetLine, townSearchStmts } from './search.ts';
import { townSearchDocs, type SearchSource } from '../domain/search.ts';

/** Hex SHA-256 of a value's JSON (Web Crypto: works in Node and workerd). */
async function sha256(v: unknown): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(v)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hex SHA-256 of the bundle's canonical JSON. */
export const contentHash = (bundle: ContentBundle): Promise<string> => sha256(bundle);

/** What search indexes of a town of the bundle (worker/domain/search.ts). */
function searchSource(t: TownBundle, bundle: ContentBundle): SearchSource {
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
async function townSearch(t: TownBundle, bundle: ContentBundle): Promise<Stmt[]> {
  const docs = townSearchDocs(searchSource(t, bundle));
  return townSearchStmts(t.town.id, docs, await sha256({ scheme: 'bigram-1', docs }));
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

function townStatements(t: TownBundle, now: string, allRegions: Region[]): Stmt[] {
  const town = t.town.id;
  const regions = townRegions(t.town, allRegions);
  const out: Stmt[] = [];
  out.push(
    upsert(
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
    ),
  );
  const p = t.town.plan;
  out.push(
    upsert(
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
    ),
  );
  for (const m of t.town.milestones) {
    out.push(upsert('milestones', ['town_id', 'id'], { town_id: town, id: m.id, year: m.year, label: m.label, due: m.due }));
  }
  t.units.forEach((u, i) =>
    out.push(
      upsert('units', ['town_id', 'id'], { town_id: town, id: u.id, name: u.name, kind: u.kind, supervises: u.supervises ? 1 : 0, ordinal: i }),
    ),
  );
  const g = t.leading_group;
  out.push(
    upsert('leading_groups', ['town_id'], { town_id: town, name: g.name, office_unit_id: g.office.unit, office_quote: g.office.quote }),
  );
  g.members.forEach((m, i) => {
    const officeRole = m.id === g.office.director ? 'director' : g.office.deputies.includes(m.id) ? 'deputy_director' : null;
    out.push(
      upsert('members', ['town_id', 'id'], {
        town_id: town,
        id: m.id,
        name: m.name,
        role: m.role,
        post: m.post,
        office_role: officeRole,
        ordinal: i,
      }),
    );
    out.push(
      stmt(
        `DELETE FROM member_units WHERE town_id = ? AND member_id = ?${m.units.length ? ` AND unit_id NOT IN (${placeholders(m.units.length)})` : ''}`,
        town,
        m.id,
        ...m.units,
      ),
    );
    for (const u of m.units) out.push(upsert('member_units', ['town_id', 'member_id', 'unit_id'], { town_id: town, member_id: m.id, unit_id: u }));
  });

  const indicatorIds = t.indicators.map((i) => i.indicator);
  out.push(
    stmt(
      `DELETE FROM indicator_targets WHERE town_id = ?${indicatorIds.length ? ` AND indicator_id NOT IN (${placeholders(indicatorIds.length)})` : ''}`,
      town,
      ...indicatorIds,
    ),
  );
  t.indicators.forEach((ind, i) => {
    out.push(
      upsert('town_indicators', ['town_id', 'indicator_id'], {
        town_id: town,
        indicator_id: ind.indicator,
        baseline_value: ind.baseline?.value ?? null,
        baseline_as_of: ind.baseline?.as_of ?? null,
        baseline_source: ind.baseline?.source ?? null,
        ordinal: i,
      }),
    );
    const ms = ind.targets.map((x) => x.milestone);
    out.push(
      stmt(
        `DELETE FROM indicator_targets WHERE town_id = ? AND indicator_id = ? AND milestone_id NOT IN (${placeholders(ms.length)})`,
        town,
        ind.indicator,
        ...ms,
      ),
    );
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
      out.push(
        upsert('indicator_targets', ['town_id', 'indicator_id', 'milestone_id'], {
          town_id: town,
          indicator_id: ind.indicator,
          milestone_id: tg.milestone,
          kind: tg.kind,
          ...row,
          quote: tg.quote,
        }),
      );
    }
  });
  out.push(
    stmt(
      `DELETE FROM town_indicators WHERE town_id = ?${indicatorIds.length ? ` AND indicator_id NOT IN (${placeholders(indicatorIds.length)})` : ''}`,
      town,
      ...indicatorIds,
    ),
  );

  t.tasks.forEach((task, i) => {
    // Fields the office edited through the API are pinned (tasks.console_fields, migration 0007):
    // the loader keeps the stored value of a pinned field instead of writing content/'s back.
    out.push(
      upsert(
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
      ),
    );
    const unitIds = task.units.map((u) => u.unit);
    const unitsFree = stmt(`NOT EXISTS (SELECT 1 FROM tasks WHERE town_id = ? AND id = ? AND ${pinnedSql('units', 'tasks')})`, town, task.id);
    out.push(
      stmt(
        `DELETE FROM task_units WHERE town_id = ? AND task_id = ? AND unit_id NOT IN (${placeholders(unitIds.length)}) AND ${unitsFree.sql}`,
        town,
        task.id,
        ...unitIds,
        ...unitsFree.params,
      ),
    );
    task.units.forEach((u, j) =>
      out.push(
        upsert('task_units', ['town_id', 'task_id', 'unit_id'], { town_id: town, task_id: task.id, unit_id: u.unit, role: u.role, ordinal: j }, { onlyIf: unitsFree }),
      ),
    );
    out.push(
      stmt(
        `DELETE FROM task_indicators WHERE town_id = ? AND task_id = ?${task.indicators.length ? ` AND indicator_id NOT IN (${placeholders(task.indicators.length)})` : ''}`,
        town,
        task.id,
        ...task.indicators,
      ),
    );
    for (const ind of task.indicators) {
      out.push(upsert('task_indicators', ['town_id', 'task_id', 'indicator_id'], { town_id: town, task_id: task.id, indicator_id: ind }));
    }
  });
  return out;
}

/** Every statement that brings the database in line with `bundle`, in foreign-key order, audit row first. */
export async function contentStatements(bundle: ContentBundle, now: string, actor = 'system:content-loader'): Promise<Stmt[]> {
  const hash = await contentHash(bundle);
  const summary = json({
    indicators: bundle.indicators.length,
    towns: bundle.towns.map((t) => ({ id: t.town.id, tasks: t.tasks.length, indicators: t.indicators.length, members: t.leading_group.members.length })),
    jurisdictions: bundle.jurisdictions.map((j) => j.id),
    regions: bundle.regions.map((r) => r.id),
  });
  const out: Stmt[] = [
    stmt(
      `INSERT INTO audit_log (at, actor, action, entity, entity_id, detail_json)
       SELECT ?, ?, 'content.load', 'content', ?, ? WHERE NOT EXISTS (SELECT 1 FROM content_loads WHERE hash = ?)`,
      now,
      actor,
      hash,
      summary,
      hash,
    ),
  ];
  bundle.indicators.forEach((d, i) =>
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
  [...bundle.regions].sort((a, b) => Number(a.level === 'county') - Number(b.level === 'county')).forEach((r) =>
    out.push(
      upsert('regions', ['id'], {
        id: r.id,
        name: r.name,
        level: r.level,
        city_id: r.city?.region ?? null,
        jurisdiction_id: r.jurisdiction ?? null,
        document_json: json(r),
        ordinal: bundle.regions.indexOf(r),
      }),
    ),
  );
  for (const t of bundle.towns) out.push(...townStatements(t, now, bundle.regions), ...(await townSearch(t, bundle)));
  bundle.jurisdictions.forEach((j, i) => {
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
  // New content: every town's summary is recomputed by the next page that shows it (migration 0013).
  out.push(stmt(`DELETE FROM town_summaries WHERE NOT EXISTS (SELECT 1 FROM content_loads WHERE hash = ?)`, hash));
  out.push(stmt(`INSERT INTO content_loads (hash, loaded_at, summary) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING`, hash, now, summary));
  return out;
}

/** The newest content load (hash and time), for the loader's closing line. */
export const latestLoadStmt = (): Stmt => stmt(`SELECT hash, loaded_at FROM content_loads ORDER BY loaded_at DESC LIMIT 1`);
