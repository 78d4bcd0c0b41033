/**
 * Supervisor (and office): the overdue board as of a date, filtered by unit, milestone and
 * status, and the units ranking on the same date. The filters live in the address (?asOf=…),
 * so a board can be bookmarked or sent to a colleague.
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

function Tasks({ items, kind, id }: { items: Item[]; kind: string; id: string }) {
  if (!items.length) return null;
  return (
    <>
      <h4>
        {kind}（{items.length}）
      </h4>
      <ul className="console-list board-items" data-kind={id}>
        {items.map((t) => (
          <li key={t.ref} data-ref={t.ref}>
            <p>
              <strong>
                {t.code} {t.title}
              </strong>
            </p>
            <p>
              完成时限 {t.due}；{t.overdue_days !== null ? `已逾期 ${t.overdue_days} 天；` : ''}
              {STATUS_ZH[t.status]} {t.percent}%（时间已过 {t.elapsed_percent}%）；{t.days_since_update} 天没有审核通过的进展
              {t.lead_member ? `；牵头领导：${t.lead_member.name}` : ''}
            </p>
          </li>
        ))}
      </ul>
    </>
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
      <form
        className="console-panel"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <h2>筛选</h2>
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
      {failure && <Notice kind="error">{failure}</Notice>}
      {board && (
        <section className="console-panel" aria-labelledby="board-title" aria-live="polite">
          <h2 id="board-title">截至 {board.as_of} 的督办情况</h2>
          <p className="board-counts">
            共 {board.counts.tasks} 项任务：逾期 {board.counts.overdue} 项，有风险 {board.counts.at_risk} 项，长期未更新 {board.counts.stale} 项。
          </p>
          {board.groups
            .filter((g) => g.overdue.length + g.at_risk.length + g.stale.length > 0)
            .map((g) => (
              <div key={g.unit.id} className="board-group">
                <h3>{g.unit.name}</h3>
                <Tasks items={g.overdue} kind="逾期" id="overdue" />
                <Tasks items={g.at_risk} kind="有风险" id="at_risk" />
                <Tasks items={g.stale} kind="长期未更新" id="stale" />
              </div>
            ))}
        </section>
      )}
      {units && (
        <section className="console-panel" aria-labelledby="rank-title">
          <h2 id="rank-title">责任单位排名</h2>
          <ol className="console-list">
            {units.units.map((u) => (
              <li key={u.unit}>
                <strong>{u.rank !== null ? `第 ${u.rank} 名` : '不参与排名'}　{u.name}</strong>
                <br />
                牵头 {u.total} 项，完成 {u.completed} 项
                {u.completion_rate !== null ? `（完成率 ${Math.round(u.completion_rate * 1000) / 10}%）` : ''}，逾期 {u.overdue} 项，有风险 {u.at_risk} 项
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
