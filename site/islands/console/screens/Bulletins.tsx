/**
 * A town's bulletins (通报) on the one bulletin screen (BulletinDesk.tsx): drafted for a period
 * (BulletinDraftInput, the API's schema); the preview and what issuing freezes are the town's
 * figures (tasks, units, indicators).
 */
import { useMemo } from 'react';
import { BulletinDraftInput, STATUS_ZH, INDICATOR_ZH, type BulletinFigures } from '../../../../worker/domain/bulletin.ts';
import { bulletinPrefix } from '../../../../worker/domain/supervision.ts';
import type { ScreenProps } from '../App.tsx';
import { Field } from '../forms.tsx';
import { todayCst } from '../labels.ts';
import { BulletinDesk, type DeskBulletin, type DeskScope, type DeskSummary } from './BulletinDesk.tsx';

interface Summary extends DeskSummary {
  period_from: string;
  period_to: string;
}
type Bulletin = DeskBulletin<Summary, BulletinFigures>;

function Preview({ b }: { b: Bulletin }) {
  const f = b.figures;
  const h = f.headline;
  return (
    <div className="bulletin-preview">
      <h3>
        {b.title}
        {b.number ? `（${b.number}）` : '（草稿，未编号）'}
      </h3>
      <p>
        统计期间 {f.period.from} 至 {f.period.to}，数据截至 {f.as_of}。
      </p>
      <p>
        共 {h.tasks} 项任务：已完成 {h.completed} 项，进行中 {h.in_progress} 项，未开始 {h.not_started} 项，受阻 {h.blocked} 项；逾期 {h.overdue} 项，有风险 {h.at_risk} 项。
      </p>
      {f.overdue.length > 0 && (
        <>
          <h4>逾期任务（{f.overdue.length} 项）</h4>
          <ul>
            {f.overdue.map((t) => (
              <li key={t.ref}>
                {t.code} {t.title}：{t.units.join('、')}，时限 {t.due}，逾期 {t.days_overdue} 天，{STATUS_ZH[t.status] ?? t.status} {t.percent}%
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>责任单位排名</h4>
      <ol>
        {f.units.map((u) => (
          <li key={u.unit}>
            {u.name}：完成 {u.completed}/{u.total}，逾期 {u.overdue}
          </li>
        ))}
      </ol>
      {f.indicators.length > 0 && (
        <>
          <h4>指标</h4>
          <ul>
            {f.indicators.map((i) => (
              <li key={`${i.id}-${i.milestone}`}>
                {i.name}（{i.milestone_label}，目标 {i.target}）：{i.latest ?? '—'}，{INDICATOR_ZH[i.status]}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export default function Bulletins({ session, town }: ScreenProps) {
  const scope = useMemo<DeskScope<Summary, BulletinFigures>>(() => {
    const year = todayCst().slice(0, 4);
    return {
      form: 'bul',
      draftHeading: '起草通报',
      listHeading: '全部通报',
      listPath: `/api/v1/towns/${town}/bulletins`,
      itemPath: '/api/v1/bulletins',
      initial: { period_from: `${year}-01-01`, period_to: todayCst() },
      labels: { title: '标题', period_from: '统计开始日期', period_to: '统计结束日期', remarks: '说明' },
      schema: BulletinDraftInput,
      fields: ({ form, set, errors }) => (
        <div className="console-grid">
          <Field form="bul" path="period_from" label="统计开始日期" errors={errors}>
            {(a) => <input {...a} type="date" value={form.period_from} onChange={(e) => set('period_from', e.target.value)} />}
          </Field>
          <Field form="bul" path="period_to" label="统计结束日期" errors={errors}>
            {(a) => <input {...a} type="date" value={form.period_to} onChange={(e) => set('period_to', e.target.value)} />}
          </Field>
        </div>
      ),
      Preview,
      prefix: (f) => bulletinPrefix(f.town.name),
      frozen: ({ figures: f }) => (
        <>
          <li>
            统计期间：{f.period.from} 至 {f.period.to}，数据截至 {f.as_of}
          </li>
          <li>
            共 {f.headline.tasks} 项任务：已完成 {f.headline.completed} 项，逾期 {f.headline.overdue} 项，有风险 {f.headline.at_risk} 项；{f.units.length} 个责任单位的排名；{f.indicators.length} 项指标
          </li>
        </>
      ),
      frozenHint: '印发时按同一统计期间重新核算，与上面的预览一致；之后的进展不会再改变这份通报。',
      listLine: (b) => `${b.period_from} 至 ${b.period_to}`,
    };
  }, [town]);
  return <BulletinDesk scope={scope} token={session.token} />;
}
