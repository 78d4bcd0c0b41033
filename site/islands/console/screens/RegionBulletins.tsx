/**
 * A region supervisor's bulletins (地区通报) on the one bulletin screen (BulletinDesk.tsx): the
 * draft is a title and 说明 (RegionBulletinDraftInput, the API's schema); the preview and what
 * issuing freezes are the region's public page's figures.
 */
import { useMemo } from 'react';
import { RegionBulletinDraftInput, regionBulletinPrefix } from '../../../../worker/domain/region-bulletin.ts';
import type { RegionView } from '../../../../worker/domain/region-view.ts';
import type { ScreenProps } from '../App.tsx';
import { BulletinDesk, type DeskBulletin, type DeskScope, type DeskSummary } from './BulletinDesk.tsx';

function Preview({ b }: { b: DeskBulletin<DeskSummary, RegionView> }) {
  const v = b.figures;
  const d = v.deliverables;
  return (
    <div className="bulletin-preview">
      <p>
        数据截至 {v.judged_as_of}（与{v.region.name}公开页面相同）：共 {v.towns_total} 个镇，{v.towns_reported} 个已有审核通过的报告；具体任务 {d.total} 项，已完成 {d.completed} 项，未报告 {d.not_reported} 项，逾期 {d.overdue} 项。
      </p>
      <ol className="console-list">
        {v.towns.map((t) => (
          <li key={t.town}>
            {t.rank !== null ? `第 ${t.rank} 名${t.tied ? '（并列）' : ''}` : '未报告，不参加排名'}　<strong>{t.name}</strong>
            {t.rank !== null && t.completed_share !== null ? `：完成 ${t.deliverables.completed}/${t.deliverables.total} 项（${Math.round(t.completed_share * 1000) / 10}%），达成目标 ${t.targets_met} 个` : ''}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The region the screens work on: App passes a region supervisor's region as `town`. */
export default function RegionBulletins({ session, town: region }: ScreenProps) {
  const scope = useMemo<DeskScope<DeskSummary, RegionView>>(
    () => ({
      form: 'rbul',
      draftHeading: '起草地区通报',
      listHeading: '全部地区通报',
      listPath: `/api/v1/regions/${region}/bulletins`,
      itemPath: '/api/v1/region-bulletins',
      initial: {},
      labels: { title: '标题', remarks: '说明' },
      schema: RegionBulletinDraftInput,
      Preview,
      prefix: (f) => regionBulletinPrefix(f.region.name),
      frozen: (b) => <li>数字：印发时{b.figures.region.name}公开页面上的数字，之后的进展不会再改变这份通报</li>,
    }),
    [region],
  );
  return <BulletinDesk scope={scope} token={session.token} />;
}
