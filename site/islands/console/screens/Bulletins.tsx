/**
 * Bulletins (通报): draft for a period (BulletinDraftInput, the API's schema) → preview of the
 * figures → issue, which cannot be undone, so it asks once more and shows what will be frozen
 * (the number it will get, the period, the counts; GOV.UK's warning-text pattern) → download
 * CSV / XLSX / the print page.
 * Downloads go through fetch with the session (an unpublished bulletin is not public).
 */
import { useEffect, useRef, useState } from 'react';
import { BulletinDraftInput, STATUS_ZH, INDICATOR_ZH, type BulletinFigures } from '../../../../worker/domain/bulletin.ts';
import { api, download, failureText, newKey, request } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, type Errors } from '../forms.tsx';
import { cstTime, todayCst } from '../labels.ts';
import { bulletinNumber, bulletinPrefix } from '../../../../worker/domain/supervision.ts';

/** The number the next issued bulletin of this year gets (the server assigns it; this is what it will be unless another is issued first). */
export function nextNumber(list: { number: string | null }[], townName: string, year: number): string {
  const taken = list.filter((b) => b.number?.includes(`〔${year}〕`)).length;
  return bulletinNumber(bulletinPrefix(townName), year, taken + 1);
}

interface Summary {
  id: string;
  title: string;
  period_from: string;
  period_to: string;
  state: 'draft' | 'issued';
  visibility: 'internal' | 'public';
  number: string | null;
  created_at: string;
  issued_at: string | null;
}
type Bulletin = Summary & { figures: BulletinFigures; frozen: boolean };
const LABELS: Record<string, string> = { title: '标题', period_from: '统计开始日期', period_to: '统计结束日期', remarks: '说明' };

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
  const year = todayCst().slice(0, 4);
  const [form, setForm] = useState({ title: '', period_from: `${year}-01-01`, period_to: todayCst(), remarks: '', key: newKey() });
  const [errors, setErrors] = useState<Errors>({});
  const [list, setList] = useState<Summary[]>([]);
  const [current, setCurrent] = useState<Bulletin | null>(null);
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLElement>(null);

  const load = () => api<{ bulletins: Summary[] }>(`/api/v1/towns/${town}/bulletins`).then((r) => setList(r.bulletins), (e) => setFailure(failureText(e)));
  useEffect(() => void load(), [town, session.token]);
  const show = (b: Bulletin, msg = '') => {
    setConfirming(false);
    setCurrent(b);
    setMessage(msg);
    requestAnimationFrame(() => previewRef.current?.focus());
  };

  const draft = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const v = check(BulletinDraftInput, { ...(form.title.trim() ? { title: form.title } : {}), period_from: form.period_from, period_to: form.period_to, remarks: form.remarks });
    if (!v.ok) {
      setErrors(v.errors);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    try {
      const b = await api<Bulletin>(`/api/v1/towns/${town}/bulletins`, { method: 'POST', body: v.data, headers: { 'Idempotency-Key': form.key } });
      setForm({ ...form, key: newKey() });
      await load();
      show(b, '草稿已生成，请预览后印发。');
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const open = async (id: string) => {
    try {
      show(await api<Bulletin>(`/api/v1/bulletins/${id}`));
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const issue = async () => {
    if (!current) return;
    try {
      const b = await api<Bulletin>(`/api/v1/bulletins/${current.id}/issue`, { method: 'POST' });
      await load();
      show(b, `已印发：${b.number}。`);
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const publish = async (visibility: 'public' | 'internal') => {
    if (!current) return;
    try {
      const b = await api<Bulletin>(`/api/v1/bulletins/${current.id}/publish`, { method: 'POST', body: { visibility } });
      await load();
      show(b, visibility === 'public' ? '已在网站公开。' : '已设为内部。');
    } catch (e) {
      setFailure(failureText(e));
    }
  };
  const file = (ext: 'csv' | 'xlsx') => current && download(`/api/v1/bulletins/${current.id}/export.${ext}`, `${current.number ?? current.title}.${ext}`).catch((e) => setFailure(failureText(e)));
  const print = async () => {
    if (!current) return;
    try {
      const html = await (await request(`/api/v1/bulletins/${current.id}/print`, { headers: { accept: 'text/html' } })).blob();
      window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), '_blank', 'noopener');
    } catch (e) {
      setFailure(failureText(e));
    }
  };

  return (
    <>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form className="console-panel" onSubmit={draft} noValidate>
        <h2>起草通报</h2>
        <ErrorSummary form="bul" errors={errors} labels={(p) => LABELS[p] ?? p} summaryRef={summary} />
        <Field form="bul" path="title" label="标题（可不填，自动生成）" errors={errors}>
          {(a) => <input {...a} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <div className="console-grid">
          <Field form="bul" path="period_from" label="统计开始日期" errors={errors}>
            {(a) => <input {...a} type="date" value={form.period_from} onChange={(e) => setForm({ ...form, period_from: e.target.value })} />}
          </Field>
          <Field form="bul" path="period_to" label="统计结束日期" errors={errors}>
            {(a) => <input {...a} type="date" value={form.period_to} onChange={(e) => setForm({ ...form, period_to: e.target.value })} />}
          </Field>
        </div>
        <Field form="bul" path="remarks" label="说明（可不填）" errors={errors}>
          {(a) => <textarea {...a} value={form.remarks} onChange={(e) => setForm({ ...form, remarks: e.target.value })} />}
        </Field>
        <button type="submit" className="button button-primary">
          生成草稿并预览
        </button>
      </form>
      {current && (
        <section className="console-panel" aria-labelledby="preview-title" ref={previewRef} tabIndex={-1}>
          <h2 id="preview-title">{current.state === 'draft' ? '预览草稿' : '已印发的通报'}</h2>
          {message && <Notice kind="ok">{message}</Notice>}
          <Preview b={current} />
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
              <div className="warning-text" ref={confirmRef} tabIndex={-1} role="group" aria-labelledby="issue-warning">
                <p id="issue-warning">
                  <strong>
                    <span className="warning-icon" aria-hidden="true">
                      !
                    </span>
                    印发后不能撤回，也不能修改。
                  </strong>
                </p>
                <p>将冻结的内容：</p>
                <ul className="frozen">
                  <li>编号：{nextNumber(list, current.figures.town.name, Number(todayCst().slice(0, 4)))}（由系统按印发顺序编定）</li>
                  <li>
                    统计期间：{current.figures.period.from} 至 {current.figures.period.to}，数据截至 {current.figures.as_of}
                  </li>
                  <li>
                    共 {current.figures.headline.tasks} 项任务：已完成 {current.figures.headline.completed} 项，逾期 {current.figures.headline.overdue} 项，有风险 {current.figures.headline.at_risk} 项；{current.figures.units.length} 个责任单位的排名；{current.figures.indicators.length} 项指标
                  </li>
                </ul>
                <p className="hint">印发时按同一统计期间重新核算，与上面的预览一致；之后的进展不会再改变这份通报。</p>
                <button type="button" className="button button-primary" onClick={issue}>
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
                  <button type="button" className="button" onClick={() => publish('public')}>
                    在网站公开
                  </button>
                ) : (
                  <button type="button" className="button" onClick={() => publish('internal')}>
                    取消公开
                  </button>
                )}
              </>
            )}
          </div>
        </section>
      )}
      <section className="console-panel" aria-labelledby="bul-list">
        <h2 id="bul-list">全部通报</h2>
        {list.length === 0 ? (
          <p>还没有通报。</p>
        ) : (
          <ul className="console-list">
            {list.map((b) => (
              <li key={b.id}>
                <button type="button" className="button" onClick={() => open(b.id)}>
                  {b.number ?? '草稿'}：{b.title}
                </button>
                <p>
                  {b.period_from} 至 {b.period_to}；{b.state === 'issued' ? `印发于 ${cstTime(b.issued_at)}，${b.visibility === 'public' ? '已公开' : '内部'}` : `起草于 ${cstTime(b.created_at)}`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
