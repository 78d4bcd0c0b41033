/**
 * Reads of towns and their plans. The only code besides db/content.ts that touches D1 for plans.
 * Single-table reads go through d1-orm models; joins through prepared statements.
 */
import { D1Orm, DataTypes, Model } from 'd1-orm';

const T = { type: DataTypes.TEXT, notNull: true } as const;
const TN = { type: DataTypes.TEXT } as const;
const I = { type: DataTypes.INTEGER, notNull: true } as const;
const R = { type: DataTypes.REAL } as const;

function models(orm: D1Orm) {
  return {
    towns: new Model(
      { D1Orm: orm, tableName: 'towns', primaryKeys: 'id' },
      {
        id: T,
        name: T,
        name_en: TN,
        province: TN,
        city: TN,
        county: TN,
        basis_json: T,
        demo: I,
        profile_json: T,
        projects_json: T,
        updated_at: T,
      },
    ),
    plans: new Model(
      { D1Orm: orm, tableName: 'plans', primaryKeys: 'town_id' },
      {
        town_id: T,
        title: T,
        doc_number: T,
        issuer: TN,
        issued_on: TN,
        basis_json: T,
        year: I,
        sections_json: T,
        body_markdown: T,
        updated_at: T,
      },
    ),
    milestones: new Model(
      { D1Orm: orm, tableName: 'milestones', primaryKeys: ['town_id', 'id'] },
      { town_id: T, id: T, year: I, label: T, due: T },
    ),
    units: new Model(
      { D1Orm: orm, tableName: 'units', primaryKeys: ['town_id', 'id'] },
      { town_id: T, id: T, name: T, kind: T, supervises: I, ordinal: I },
    ),
    leadingGroups: new Model(
      { D1Orm: orm, tableName: 'leading_groups', primaryKeys: 'town_id' },
      { town_id: T, name: T, office_unit_id: T, office_quote: T },
    ),
    members: new Model(
      { D1Orm: orm, tableName: 'members', primaryKeys: ['town_id', 'id'] },
      { town_id: T, id: T, name: T, role: T, post: T, office_role: TN, ordinal: I },
    ),
    targets: new Model(
      { D1Orm: orm, tableName: 'indicator_targets', primaryKeys: ['town_id', 'indicator_id', 'milestone_id'] },
      {
        town_id: T,
        indicator_id: T,
        milestone_id: T,
        kind: T,
        comparator: TN,
        value: R,
        unit: TN,
        display: TN,
        denominator_value: R,
        denominator_unit: TN,
        text: TN,
        quote: T,
      },
    ),
  };
}

/** A row of the towns list. */
export interface TownRow {
  id: string;
  name: string;
  name_en: string | null;
  province: string | null;
  city: string | null;
  county: string | null;
  /** {field: {basis, note?, quote?}} for the optional facts present. */
  basis_json: string;
  demo: number;
  plan_title: string;
  plan_doc_number: string;
  updated_at: string;
}

/** All towns with their plan's title and number, by name. */
export async function listTowns(db: D1Database): Promise<TownRow[]> {
  const r = await db
    .prepare(
      `SELECT t.id, t.name, t.name_en, t.province, t.city, t.county, t.basis_json, t.demo, p.title AS plan_title, p.doc_number AS plan_doc_number,
              MAX(t.updated_at, p.updated_at) AS updated_at
         FROM towns t JOIN plans p ON p.town_id = t.id ORDER BY t.id`,
    )
    .all<TownRow>();
  return r.results;
}

/** Everything the plan endpoint returns, as stored rows; null when the town does not exist. */
export async function readPlanRows(db: D1Database, town: string) {
  const m = models(new D1Orm(db));
  const townRow = await m.towns.First({ where: { id: town } });
  if (!townRow) return null;
  const [plan, milestones, units, group, members, targets] = await Promise.all([
    m.plans.First({ where: { town_id: town } }),
    m.milestones.All({ where: { town_id: town }, orderBy: 'due' }),
    m.units.All({ where: { town_id: town }, orderBy: 'ordinal' }),
    m.leadingGroups.First({ where: { town_id: town } }),
    m.members.All({ where: { town_id: town }, orderBy: 'ordinal' }),
    m.targets.All({ where: { town_id: town } }),
  ]);
  const [memberUnits, indicators, tasks, taskUnits, taskIndicators] = await db.batch([
    db.prepare(`SELECT member_id, unit_id FROM member_units WHERE town_id = ? ORDER BY member_id, unit_id`).bind(town),
    db
      .prepare(
        `SELECT i.id, i.name, i.name_en, i.kind, i.unit, i.direction, i.definition,
                ti.baseline_value, ti.baseline_as_of, ti.baseline_source
           FROM town_indicators ti JOIN indicators i ON i.id = ti.indicator_id
          WHERE ti.town_id = ? ORDER BY ti.ordinal`,
      )
      .bind(town),
    db
      .prepare(
        `SELECT id, parent_id, code, kind, title, quote, units_basis, lead_member_id, due_milestone_id, due_basis,
                weight, status, percent, version, updated_at
           FROM tasks WHERE town_id = ? AND kind <> 'rectification' ORDER BY ordinal`, // the plan only: rectification items (督导整改) are internal
      )
      .bind(town),
    db.prepare(`SELECT task_id, unit_id, role FROM task_units WHERE town_id = ? ORDER BY task_id, ordinal`).bind(town),
    db.prepare(`SELECT task_id, indicator_id FROM task_indicators WHERE town_id = ? ORDER BY task_id, indicator_id`).bind(town),
  ]);
  return {
    town: townRow,
    plan,
    milestones: milestones.results,
    units: units.results,
    group,
    members: members.results,
    memberUnits: memberUnits!.results as { member_id: string; unit_id: string }[],
    indicators: indicators!.results as IndicatorRow[],
    targets: targets.results,
    tasks: tasks!.results as TaskRow[],
    taskUnits: taskUnits!.results as { task_id: string; unit_id: string; role: string }[],
    taskIndicators: taskIndicators!.results as { task_id: string; indicator_id: string }[],
  };
}

/** A town's indicator joined with its catalogue entry. */
export interface IndicatorRow {
  id: string;
  name: string;
  name_en: string;
  kind: string;
  unit: string | null;
  direction: string;
  definition: string | null;
  baseline_value: number | null;
  baseline_as_of: string | null;
  baseline_source: string | null;
}

/** A stored task. */
export interface TaskRow {
  id: string;
  parent_id: string | null;
  code: string;
  kind: string;
  title: string;
  quote: string;
  units_basis: string;
  lead_member_id: string | null;
  due_milestone_id: string;
  due_basis: string;
  weight: number;
  status: string;
  percent: number;
  version: number;
  updated_at: string;
}

/** Jurisdictions with their reports and figures, for the comparison page. */
export async function readJurisdictionRows(db: D1Database) {
  const [j, r, f] = await db.batch([
    db.prepare(`SELECT id, name, name_en, level, province, basis_json FROM jurisdictions ORDER BY ordinal`),
    db.prepare(
      `SELECT id, jurisdiction_id, title, doc_number, issuer, date, addressee, source_file, note FROM jurisdiction_reports ORDER BY jurisdiction_id, ordinal`,
    ),
    db.prepare(
      `SELECT report_id, id, indicator_id, label, value, unit, qualifier, text, as_of, as_of_text, scope_note, quote FROM jurisdiction_figures ORDER BY report_id, ordinal`,
    ),
  ]);
  return {
    jurisdictions: j!.results as { id: string; name: string; name_en: string; level: string; province: string | null; basis_json: string }[],
    reports: r!.results as {
      id: string;
      jurisdiction_id: string;
      title: string;
      doc_number: string | null;
      issuer: string;
      date: string | null;
      addressee: string | null;
      source_file: string;
      note: string | null;
    }[],
    figures: f!.results as {
      report_id: string;
      id: string;
      indicator_id: string | null;
      label: string;
      value: number;
      unit: string;
      qualifier: string;
      text: string;
      as_of: string | null;
      as_of_text: string | null;
      scope_note: string | null;
      quote: string;
    }[],
  };
}
