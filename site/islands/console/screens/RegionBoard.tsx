/**
 * A region supervisor's cross-town overdue board (GET /regions/{region}/board), built for a phone:
 * the totals first, then each town (most overdue first) with its counts — its units' overdue tasks
 * are fetched when its line is opened (…/board?town=), so a county of a hundred towns is a small
 * answer — then every unit of every town ranked by what it has overdue. The date lives in the
 * address (?asOf=…), so a board can be bookmarked or sent to a colleague.
 */
import { useEffect, useState } from 'react';
import { api, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { Field, Notice } from '../forms.tsx';
import { STATUS_ZH, todayCst } from '../labels.ts';

interface Item {
  ref: string;
  code: string;
  title: string;
  due: string;
  status: string;
  percent: number;
  overdue_days: number | null;
}
interface Ref {
  id: string;
  name: string;
}
interface RegionBoardView {
  region: Ref & { level: 'county' | 'city' };
  as_of: string;
  counts: {
    towns: number;
    towns_with_overdue: number;
    tasks: number;
    overdue: number;
    at_risk: number;
    stale: number;
  };
  towns: {
    town: Ref;
    counts: { tasks: number; overdue: number; at_risk: number; stale: number };
    units?: { unit: Ref; overdue: Item[] }[];
  }[];
  units: {
    town: Ref;
    unit: Ref;
    overdue: number;
    at_risk: number;
    stale: number;
  }[];
}

/** Lines of the unit ranking shown before 显示全部. */
const UNITS_FIRST = 20;

/** The region the screens work on: App passes a region supervisor's region as `town`. */
export default function RegionBoard({ session, town: region }: ScreenProps) {
  const [asOf, setAsOf] = useState(() => new URLSearchParams(location.search).get('asOf') ?? todayCst());
  const [applied, setApplied] = useState(asOf);
  const [board, setBoard] = useState<RegionBoardView | null>(null);
  const [failure, setFailure] = useState('');
  /** Each opened town's units with their overdue tasks (null while on its way), or why it could not be read. */
  const [detail, setDetail] = useState<Record<string, { units: { unit: Ref; overdue: Item[] }[] } | { failure: string } | null>>({});
  /** The unit ranking shows its first UNITS_FIRST lines until asked for all (a region of 100 towns has over a thousand units). */
  const [allUnits, setAllUnits] = useState(false);

  useEffect(() => {
    history.replaceState(null, '', `?asOf=${applied}`);
    setFailure('');
    setDetail({});
    api<RegionBoardView>(`/api/v1/regions/${region}/board?asOf=${applied}`).then(setBoard, (e) => setFailure(failureText(e)));
  }, [region, applied, session.token]);

  const open = (town: string) => {
    if (detail[town] && !('failure' in detail[town]!)) return;
    setDetail((d) => ({ ...d, [town]: null }));
    api<RegionBoardView>(`/api/v1/regions/${region}/board?asOf=${applied}&town=${encodeURIComponent(town)}`).then(
      (b) =>
        setDetail((d) => ({
          ...d,
          [town]: { units: b.towns[0]?.units ?? [] },
        })),
      (e) => setDetail((d) => ({ ...d, [town]: { failure: failureText(e) } })),
    );
  };

  return (
    <>
      {/* The date folded into one line, as on a town's board: the answer comes first on a phone's screen. */}
      <details className="console-panel board-filter-panel">
        <summary>截至 {applied}（点开换日期）</summary>
        <form
          className="board-filters"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(asOf);
          }}
        >
          <Field form="region-board" path="asOf" label="截至日期" errors={{}}>
            {(a) => <input {...a} type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />}
          </Field>
          <button type="submit" className="button button-primary">
            查看
          </button>
        </form>
      </details>
      {failure && <Notice kind="error">{failure}</Notice>}
      {board && (
        <section className="console-panel" aria-labelledby="region-board-title" aria-live="polite">
          <h2 id="region-board-title">
            {board.region.name}各镇督办情况（截至 {board.as_of}）
          </h2>
          <p className="board-counts">
            共 {board.counts.towns} 个镇、{board.counts.tasks} 项任务：逾期 {board.counts.overdue} 项（{board.counts.towns_with_overdue} 个镇有逾期），有风险 {board.counts.at_risk} 项，长期未更新 {board.counts.stale} 项。按各镇自己的督办看板同样的规则计算。
          </p>
          <h3>按镇（逾期最多的在前，点开看各单位的逾期任务）</h3>
          {board.towns.map((t) => {
            const d = detail[t.town.id];
            return (
              <details key={t.town.id} className="board-group" data-town={t.town.id} onToggle={(e) => (e.currentTarget.open && t.counts.overdue > 0 ? open(t.town.id) : undefined)}>
                <summary>
                  <strong>{t.town.name}</strong>：逾期 {t.counts.overdue}，有风险 {t.counts.at_risk}，长期未更新 {t.counts.stale}（共 {t.counts.tasks} 项任务）
                </summary>
                {t.counts.overdue === 0 ? (
                  <p>没有逾期任务。</p>
                ) : d === undefined || d === null ? (
                  <p role="status">正在读取{t.town.name}的逾期任务……</p>
                ) : 'failure' in d ? (
                  <Notice kind="error">{d.failure}</Notice>
                ) : (
                  d.units.map((u) => (
                    <div key={u.unit.id} data-unit={u.unit.id}>
                      <h4>
                        {u.unit.name}（逾期 {u.overdue.length} 项）
                      </h4>
                      <ul className="console-list board-items">
                        {u.overdue.map((x) => (
                          <li key={x.ref} data-ref={x.ref}>
                            <p className="flags">
                              <span className="urgency urgency-overdue">已逾期 {x.overdue_days} 天</span>
                            </p>
                            <p>
                              <strong>
                                {x.code} {x.title}
                              </strong>
                            </p>
                            <p>
                              完成时限 {x.due}；{STATUS_ZH[x.status] ?? x.status} {x.percent}%
                            </p>
                          </li>
                        ))}
                      </ul>
                    </div>
                  ))
                )}
              </details>
            );
          })}
        </section>
      )}
      {board && (
        <section className="console-panel" aria-labelledby="region-units-title">
          <h2 id="region-units-title">按责任单位（逾期最多的在前）</h2>
          <p className="hint">各镇的责任单位各自列出，同名单位不合并。先比逾期项数，再比有风险项数，再比长期未更新项数。</p>
          <ol className="console-list unit-ranking">
            {(allUnits ? board.units : board.units.slice(0, UNITS_FIRST)).map((l) => (
              <li key={`${l.town.id}:${l.unit.id}`} data-town={l.town.id} data-unit={l.unit.id}>
                <strong>
                  {l.town.name} · {l.unit.name}
                </strong>
                <br />
                逾期 {l.overdue} 项，有风险 {l.at_risk} 项，长期未更新 {l.stale} 项
              </li>
            ))}
          </ol>
          {!allUnits && board.units.length > UNITS_FIRST && (
            <p>
              以上是前 {UNITS_FIRST} 个单位，共 {board.units.length} 个。
              <button type="button" className="button" onClick={() => setAllUnits(true)}>
                显示全部 {board.units.length} 个单位
              </button>
            </p>
          )}
        </section>
      )}
    </>
  );
}
