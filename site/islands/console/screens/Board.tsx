/**
 * Supervisor (and office): the overdue board as of a date, built for a phone. It opens on the
 * counts per unit, worst unit first; each unit's items are a collapsible list, worst first, and a
 * task appears once with all its flags (逾期 / 有风险 / 长期未更新). Then the unit ranking, with
 * ties (并列) and its order stated. Filters (unit, milestone, status) live in the address
 * (?asOf=…), so a board can be bookmarked or sent to a colleague.
 */
import { useEffect, useState } from 'react';
import { api, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { Field, Notice, UnitOptions } from '../forms.tsx';
import { STATUS_ZH, todayCst } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';

interface Item {
  ref: string;
  code: string;
  title: string;
  due: string;
  status: string;
  percent: number;
  overdue_days: number | null;
  at_risk: string | null;
  elapsed_percent: number;
  days_since_update: number;
  units: { id: string; name: string; role: string }[];
  lead_member: { name: string } | null;
}
interface BoardView {
  as_of: string;
  counts: { tasks: number; overdue: number; at_risk: number; stale: number };
  groups: { unit: { id: string; name: string }; overdue: Item[]; at_risk: Item[]; stale: Item[] }[];
}
interface UnitsView {
  units: { unit: string; name: string; rank: number | null; total: number; completed: number; completion_rate: number | null; mean_percent: number | null; overdue: number; at_risk: number }[];
}

const initial = () => {
  const q = new URLSearchParams(location.search);
  return { asOf: q.get('asOf') ?? todayCst(), unit: q.get('unit') ?? '', milestone: q.get('milestone') ?? '', status: q.get('status') ?? '' };
};

/** A unit's flagged tasks, each once, worst first: longest overdue, then at risk, then longest without an approved update. */
export function mergeItems(g: BoardView['groups'][number]): Item[] {
  const byRef = new Map<string, Item>();
  for (const t of [...g.overdue, ...g.at_risk, ...g.stale]) byRef.set(t.ref, t);
  return [...byRef.values()].sort(
    (a, b) => (b.overdue_days ?? -1) - (a.overdue_days ?? -1) || Number(!!b.at_risk) - Number(!!a.at_risk) || b.days_since_update - a.days_since_update || a.code.localeCompare(b.code, 'zh'),
  );
}

const staleOf = (g: BoardView['groups'][number]) => new Set(g.stale.map((t) => t.ref));

function Items({ items, stale }: { items: Item[]; stale: Set<string> }) {
  return (
    <ul className="console-list board-items">
      {items.map((t) => (
        <li key={t.ref} data-ref={t.ref}>
          <p className="flags">
            {t.overdue_days !== null && <span className="urgency urgency-overdue">已逾期 {t.overdue_days} 天</span>}
            {t.at_risk && <span className="urgency urgency-risk">{t.at_risk === 'blocked' ? '有风险：受阻' : '有风险：进度落后'}</span>}
            {stale.has(t.ref) && <span className="urgency urgency-soon">{t.days_since_update} 天未更新</span>}
          </p>
          <p>
            <strong>
              {t.code} {t.title}
            </strong>
          </p>
          <p>
            完成时限 {t.due}；{STATUS_ZH[t.status]} {t.percent}%（时间已过 {t.elapsed_percent}%）
            {t.lead_member ? `；牵头领导：${t.lead_member.name}` : ''}
          </p>
        </li>
      ))}
    </ul>
  );
}

export default function Board({ session, town }: ScreenProps) {
  const [filters, setFilters] = useState(initial);
  const [applied, setApplied] = useState(initial);
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [board, setBoard] = useState<BoardView | null>(null);
  const [units, setUnits] = useState<UnitsView | null>(null);
  const [failure, setFailure] = useState('');

  useEffect(() => {
    const q = new URLSearchParams(Object.entries(applied).filter(([, v]) => v));
    history.replaceState(null, '', `?${q}`);
    setFailure('');
    Promise.all([loadPlan(town), api<BoardView>(`/api/v1/towns/${town}/overdue?${q}`), api<UnitsView>(`/api/v1/towns/${town}/units?asOf=${applied.asOf}`)]).then(
      ([p, b, u]) => (setPlan(p), setBoard(b), setUnits(u)),
      (e) => setFailure(failureText(e)),
    );
  }, [town, applied, session.token]);

  const set = (k: keyof typeof filters, v: string) => setFilters({ ...filters, [k]: v });
  const noErrors = {};
  return (
    <>
      <details className="console-panel board-filter-panel">
        <summary>
          筛选：截至 {applied.asOf}
          {applied.unit ? `，${plan?.units.get(applied.unit) ?? applied.unit}` : ''}
          {applied.milestone ? `，${plan?.plan.milestones.find((m) => m.id === applied.milestone)?.label ?? applied.milestone}` : ''}
          {applied.status ? `，${STATUS_ZH[applied.status]}` : ''}
        </summary>
        <form
          className="board-filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(filters);
          }}
        >
          <div className="console-grid">
            <Field form="board" path="asOf" label="截至日期" errors={noErrors}>
              {(a) => <input {...a} type="date" value={filters.asOf} onChange={(e) => set('asOf', e.target.value)} />}
            </Field>
            <Field form="board" path="unit" label="责任单位" errors={noErrors}>
              {(a) => (
                <select {...a} value={filters.unit} onChange={(e) => set('unit', e.target.value)}>
                  <option value="">全部单位</option>
                  <UnitOptions units={plan?.plan.units} />
                </select>
              )}
            </Field>
            <Field form="board" path="milestone" label="时间节点" errors={noErrors}>
              {(a) => (
                <select {...a} value={filters.milestone} onChange={(e) => set('milestone', e.target.value)}>
                  <option value="">全部节点</option>
                  {plan?.plan.milestones.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field form="board" path="status" label="状态" errors={noErrors}>
              {(a) => (
                <select {...a} value={filters.status} onChange={(e) => set('status', e.target.value)}>
                  <option value="">全部状态</option>
                  {Object.entries(STATUS_ZH).map(([k, v]) => (
                    <option key={k} value={k}>
                      {v}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <button type="submit" className="button button-primary">
            查看
          </button>
        </form>
      </details>
      {failure && <Notice kind="error">{failure}</Notice>}
      {board && (
        <section className="console-panel" aria-labelledby="board-title" aria-live="polite">
          <h2 id="board-title">截至 {board.as_of} 的督办情况</h2>
          <p className="board-counts">
            共 {board.counts.tasks} 项任务：逾期 {board.counts.overdue} 项，有风险 {board.counts.at_risk} 项，长期未更新 {board.counts.stale} 项。一项任务有几种情况，只列一次，标出全部情况。
          </p>
          <h3>各单位情况（问题最多的在前，点开看具体任务）</h3>
          {board.groups
            .map((g) => ({ g, items: mergeItems(g) }))
            .filter(({ items }) => items.length > 0)
            .sort((a, b) => b.g.overdue.length - a.g.overdue.length || b.g.at_risk.length - a.g.at_risk.length || b.g.stale.length - a.g.stale.length)
            .map(({ g, items }) => (
              <details key={g.unit.id} className="board-group" data-unit={g.unit.id}>
                <summary>
                  <strong>{g.unit.name}</strong>：逾期 {g.overdue.length}，有风险 {g.at_risk.length}，长期未更新 {g.stale.length}（共 {items.length} 项任务）
                </summary>
                <Items items={items} stale={staleOf(g)} />
              </details>
            ))}
        </section>
      )}
      {units && (
        <section className="console-panel" aria-labelledby="rank-title">
          <details open className="board-ranking">
            <summary>
              <h2 id="rank-title">责任单位排名</h2>
            </summary>
            <p className="hint">排名规则：先比完成率（高者在前），相同再比平均进度（高者在前），再相同比逾期项数（少者在前）；三项都相同的单位并列同一名次，下一名次顺延。只计各单位牵头的末级任务；没有牵头任务的单位不参与排名。</p>
            <ol className="console-list unit-ranking">
              {units.units.map((u, i, all) => {
                const tied = u.rank !== null && all.some((o, j) => j !== i && o.rank === u.rank);
                return (
                  <li key={u.unit} data-unit={u.unit} data-rank={u.rank ?? ''}>
                    <strong>
                      {u.rank !== null ? `第 ${u.rank} 名${tied ? '（并列）' : ''}` : '不参与排名'}　{u.name}
                    </strong>
                    <br />
                    牵头 {u.total} 项，完成 {u.completed} 项
                    {u.completion_rate !== null ? `（完成率 ${Math.round(u.completion_rate * 1000) / 10}%，平均进度 ${u.mean_percent}%）` : ''}，逾期 {u.overdue} 项，有风险 {u.at_risk} 项
                  </li>
                );
              })}
            </ol>
          </details>
        </section>
      )}
    </>
  );
}
