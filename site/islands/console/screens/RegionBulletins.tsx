/**
 * A region supervisor's bulletins (地区通报): draft (RegionBulletinDraftInput, the API's schema) →
 * preview of the figures, which are the region's public page's → issue, which cannot be undone,
 * so it asks once more and shows what will be frozen → CSV / XLSX / print page, publish. The print page of an
 * unpublished bulletin is fetched with the session (it is not public).
 */
import { useEffect, useRef, useState } from 'react';
import { RegionBulletinDraftInput, regionBulletinPrefix } from '../../../../worker/domain/region-bulletin.ts';
import type { RegionView } from '../../../../worker/domain/region-view.ts';
import { bulletinNumber } from '../../../../worker/domain/supervision.ts';
import { api, download, failureText, newKey, request } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, type Errors } from '../forms.tsx';
import { cstTime, todayCst } from '../labels.ts';

interface Summary {
  id: string;
  title: string;
  state: 'draft' | 'issued';
  visibility: 'internal' | 'public';
  number: string | null;
  created_at: string;
  issued_at: string | null;
}
type Bulletin = Summary & { figures: RegionView; frozen: boolean };
const LABELS: Record<string, string> = { title: '标题', remarks: '说明' };

function Preview({ v }: { v: RegionView }) {
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
export default function RegionBulletins({ town: region }: ScreenProps) {
  const [list, setList] = useState<Summary[]>([]);
  const [current, setCurrent] = useState<Bulletin | null>(null);
  const [form, setForm] = useState({ title: '', remarks: '', key: newKey() });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLElement>(null);
  const confirmRef = useRef<HTMLDivElement>(null);

  const load = () => api<{ bulletins: Summary[] }>(`/api/v1/regions/${region}/bulletins`).then((r) => setList(r.bulletins), (e) => setFailure(failureText(e)));
  useEffect(() => void load(), [region]);
  const show = (b: Bulletin, note = '') => {
    setCurrent(b);
    setMessage(note);
    setConfirming(false);
    void load();
    requestAnimationFrame(() => previewRef.current?.focus());
  };

  const draft = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const v = check(RegionBulletinDraftInput, { ...(form.title.trim() ? { title: form.title } : {}), remarks: form.remarks });
    if (!v.ok) {
      setErrors(v.errors);
      return void requestAnimationFrame(() => summary.current?.focus());
    }
    setErrors({});
    try {
      const b = await api<Bulletin>(`/api/v1/regions/${region}/bulletins`, { method: 'POST', body: v.data, headers: { 'Idempotency-Key': form.key } });
      setForm({ title: '', remarks: '', key: newKey() });
      show(b);
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const act = async (path: string, body: unknown, note: string) => {
    if (!current) return;
    try {
      show(await api<Bulletin>(`/api/v1/region-bulletins/${current.id}/${path}`, { method: 'POST', ...(body ? { body } : {}) }), note);
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const print = async () => {
    if (!current) return;
    try {
      const html = await (await request(`/api/v1/region-bulletins/${current.id}/print`, { headers: { accept: 'text/html' } })).blob();
      window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), '_blank', 'noopener');
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const file = (ext: 'csv' | 'xlsx') => current && download(`/api/v1/region-bulletins/${current.id}/export.${ext}`, `${current.number ?? current.title}.${ext}`).catch((e) => setFailure(failureText(e)));
  const year = Number(todayCst().slice(0, 4));
  const next = current ? bulletinNumber(regionBulletinPrefix(current.figures.region.name), year, list.filter((b) => b.number?.includes(`〔${year}〕`)).length + 1) : '';

  return (
    <>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form className="console-panel" onSubmit={draft} noValidate>
        <h2>起草地区通报</h2>
        <ErrorSummary form="rbul" errors={errors} labels={(p) => LABELS[p] ?? p} summaryRef={summary} />
        <Field form="rbul" path="title" label="标题（可不填，自动生成）" errors={errors}>
          {(a) => <input {...a} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <Field form="rbul" path="remarks" label="说明（可不填）" errors={errors}>
          {(a) => <textarea {...a} value={form.remarks} onChange={(e) => setForm({ ...form, remarks: e.target.value })} />}
        </Field>
        <button type="submit" className="button button-primary">
          生成草稿并预览
        </button>
      </form>
      {current && (
        <section className="console-panel" aria-labelledby="rpreview-title" ref={previewRef} tabIndex={-1}>
          <h2 id="rpreview-title">{current.state === 'draft' ? '预览草稿' : `已印发的通报 ${current.number}`}</h2>
          {message && <Notice kind="ok">{message}</Notice>}
          <Preview v={current.figures} />
          <div className="console-actions">
            {current.state === 'draft' && !confirming ? (
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setConfirming(true);
                  requestAnimationFrame(() => confirmRef.current?.focus());
                }}
              >
                印发（编号并定稿）……
              </button>
            ) : current.state === 'draft' ? (
              <div className="warning-text" ref={confirmRef} tabIndex={-1} role="group" aria-labelledby="rissue-warning">
                <p id="rissue-warning">
                  <strong>
                    <span className="warning-icon" aria-hidden="true">
                      !
                    </span>
                    印发后不能撤回，也不能修改。
                  </strong>
                </p>
                <ul className="frozen">
                  <li>编号：{next}（由系统按印发顺序编定）</li>
                  <li>数字：印发时{current.figures.region.name}公开页面上的数字，之后的进展不会再改变这份通报</li>
                </ul>
                <button type="button" className="button button-primary" onClick={() => act('issue', null, '已印发。')}>
                  确认印发
                </button>
                <button type="button" className="button" onClick={() => setConfirming(false)}>
                  取消，不印发
                </button>
              </div>
            ) : (
              <>
                <button type="button" className="button" onClick={() => file('csv')}>
                  下载 CSV
                </button>
                <button type="button" className="button" onClick={() => file('xlsx')}>
                  下载 Excel（XLSX）
                </button>
                <button type="button" className="button" onClick={print}>
                  打印版
                </button>
                {current.visibility === 'internal' ? (
                  <button type="button" className="button" onClick={() => act('publish', { visibility: 'public' }, '已在网站公开。')}>
                    在网站公开
                  </button>
                ) : (
                  <>
                    <a className="button" href={`/api/v1/region-bulletins/${current.id}/print`}>
                      公开的打印页
                    </a>
                    <button type="button" className="button" onClick={() => act('publish', { visibility: 'internal' }, '已设为内部。')}>
                      取消公开
                    </button>
                  </>
                )}
              </>
            )}
          </div>
        </section>
      )}
      <section className="console-panel" aria-labelledby="rbul-list">
        <h2 id="rbul-list">全部地区通报</h2>
        {list.length === 0 ? (
          <p>还没有通报。</p>
        ) : (
          <ul className="console-list">
            {list.map((b) => (
              <li key={b.id}>
                <button type="button" className="button" onClick={() => api<Bulletin>(`/api/v1/region-bulletins/${b.id}`).then((x) => show(x), (e) => setFailure(failureText(e)))}>
                  {b.number ?? '草稿'}：{b.title}
                </button>
                <p>{b.state === 'issued' ? `印发于 ${cstTime(b.issued_at)}，${b.visibility === 'public' ? '已公开' : '内部'}` : `起草于 ${cstTime(b.created_at)}`}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
