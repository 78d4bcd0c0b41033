/**
 * One bulletin screen for both scopes (a town's 通报, a region's 地区通报): draft (the API's own
 * schema) → preview of the figures → issue, which cannot be undone, so it asks once more and shows
 * what will be frozen (the number it will get; GOV.UK's warning-text pattern) → download CSV / XLSX,
 * the print page, publish or withdraw. A scope (Bulletins.tsx, RegionBulletins.tsx) gives its
 * paths, its draft form's own fields, its preview and what issuing freezes.
 * Downloads and the print page go through fetch with the session (an unpublished bulletin is not public).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { bulletinNumber } from '../../../../worker/domain/supervision.ts';
import { api, download, failureText, newKey, request } from '../api.ts';
import { check, ErrorSummary, Field, Notice, type Errors } from '../forms.tsx';
import { cstTime, todayCst } from '../labels.ts';

/** A bulletin in the list (the API's summary, no figures). */
export interface DeskSummary {
  id: string;
  title: string;
  state: 'draft' | 'issued';
  visibility: 'internal' | 'public';
  number: string | null;
  created_at: string;
  issued_at: string | null;
}
/** A bulletin with its figures (live for a draft, frozen once issued). */
export type DeskBulletin<S extends DeskSummary, F> = S & { figures: F; frozen: boolean };

/** The number the next issued bulletin of this year gets (the server assigns it; this is what it will be unless another is issued first). */
export function nextNumber(list: { number: string | null }[], prefix: string, year: number): string {
  return bulletinNumber(prefix, year, list.filter((b) => b.number?.includes(`〔${year}〕`)).length + 1);
}

/** What differs between town and region bulletins on screen. */
export interface DeskScope<S extends DeskSummary, F> {
  /** The form's id prefix, and the headings of the draft form and the list. */
  form: string;
  draftHeading: string;
  listHeading: string;
  /** GET: the owner's bulletins; POST: a new draft. */
  listPath: string;
  /** A bulletin's path without its id: /api/v1/bulletins, /api/v1/region-bulletins. */
  itemPath: string;
  /** The draft form: its own fields' starting values (title and remarks are every scope's), its labels, its schema. */
  initial: Record<string, string>;
  labels: Record<string, string>;
  schema: z.ZodType;
  /** The scope's own fields of the draft form (e.g. a town bulletin's period). */
  fields?: (p: { form: Record<string, string>; set: (k: string, v: string) => void; errors: Errors }) => ReactNode;
  Preview: (p: { b: DeskBulletin<S, F> }) => ReactNode;
  /** The number's prefix, from the figures (冯卯医养督, 山亭区医养督). */
  prefix: (f: F) => string;
  /** What issuing freezes besides the number (list items), and a line after it. */
  frozen: (b: DeskBulletin<S, F>) => ReactNode;
  frozenHint?: string;
  /** A list entry's own words before its state (e.g. the period). */
  listLine?: (s: S) => string;
}

export function BulletinDesk<S extends DeskSummary, F>({ scope, token }: { scope: DeskScope<S, F>; token: string }) {
  type Bulletin = DeskBulletin<S, F>;
  const f = scope.form;
  const blank = () => ({ title: '', remarks: '', ...scope.initial });
  const [form, setForm] = useState<Record<string, string>>(blank);
  const [key, setKey] = useState(newKey);
  const [errors, setErrors] = useState<Errors>({});
  const [list, setList] = useState<S[]>([]);
  const [current, setCurrent] = useState<Bulletin | null>(null);
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLElement>(null);
  const set = (k: string, v: string) => setForm((x) => ({ ...x, [k]: v }));

  const load = () => api<{ bulletins: S[] }>(scope.listPath).then((r) => setList(r.bulletins), (e) => setFailure(failureText(e)));
  useEffect(() => void load(), [scope.listPath, token]);
  /** Shows a bulletin (after reloading the list, which a write changed). */
  const show = async (b: Bulletin, msg = '', reload = true) => {
    if (reload) await load();
    setConfirming(false);
    setCurrent(b);
    setMessage(msg);
    requestAnimationFrame(() => previewRef.current?.focus());
  };
  const attempt = async (step: () => Promise<void>) => {
    setFailure('');
    try {
      await step();
    } catch (e) {
      setFailure(failureText(e));
    }
  };

  const draft = async (ev: React.FormEvent) => {
    ev.preventDefault();
    const { title, ...rest } = form;
    const v = check(scope.schema, { ...(title!.trim() ? { title } : {}), ...rest });
    if (!v.ok) {
      setErrors(v.errors);
      return void requestAnimationFrame(() => summary.current?.focus());
    }
    setErrors({});
    await attempt(async () => {
      const b = await api<Bulletin>(scope.listPath, { method: 'POST', body: v.data, headers: { 'Idempotency-Key': key } });
      setKey(newKey());
      await show(b, '草稿已生成，请预览后印发。');
    });
  };
  const open = (id: string) => attempt(async () => show(await api<Bulletin>(`${scope.itemPath}/${id}`), '', false));
  const act = (step: 'issue' | 'publish', body: unknown, note: (b: Bulletin) => string) =>
    current &&
    attempt(async () => {
      const b = await api<Bulletin>(`${scope.itemPath}/${current.id}/${step}`, { method: 'POST', ...(body ? { body } : {}) });
      await show(b, note(b));
    });
  const file = (ext: 'csv' | 'xlsx') => current && attempt(() => download(`${scope.itemPath}/${current.id}/export.${ext}`, `${current.number ?? current.title}.${ext}`));
  const print = () =>
    current &&
    attempt(async () => {
      const html = await (await request(`${scope.itemPath}/${current.id}/print`, { headers: { accept: 'text/html' } })).blob();
      window.open(URL.createObjectURL(new Blob([html], { type: 'text/html' })), '_blank', 'noopener');
    });
  const year = Number(todayCst().slice(0, 4));

  return (
    <>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form className="console-panel" onSubmit={draft} noValidate>
        <h2>{scope.draftHeading}</h2>
        <ErrorSummary form={f} errors={errors} labels={(p) => scope.labels[p] ?? p} summaryRef={summary} />
        <Field form={f} path="title" label="标题（可不填，自动生成）" errors={errors}>
          {(a) => <input {...a} value={form.title} onChange={(e) => set('title', e.target.value)} />}
        </Field>
        {scope.fields?.({ form, set, errors })}
        <Field form={f} path="remarks" label="说明（可不填）" errors={errors}>
          {(a) => <textarea {...a} value={form.remarks} onChange={(e) => set('remarks', e.target.value)} />}
        </Field>
        <button type="submit" className="button button-primary">
          生成草稿并预览
        </button>
      </form>
      {current && (
        <section className="console-panel" aria-labelledby={`${f}-preview-title`} ref={previewRef} tabIndex={-1}>
          <h2 id={`${f}-preview-title`}>{current.state === 'draft' ? '预览草稿' : `已印发的通报 ${current.number}`}</h2>
          {message && <Notice kind="ok">{message}</Notice>}
          <scope.Preview b={current} />
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
              <div className="warning-text" ref={confirmRef} tabIndex={-1} role="group" aria-labelledby={`${f}-issue-warning`}>
                <p id={`${f}-issue-warning`}>
                  <strong>
                    <span className="warning-icon" aria-hidden="true">
                      !
                    </span>
                    印发后不能撤回，也不能修改。
                  </strong>
                </p>
                <p>将冻结的内容：</p>
                <ul className="frozen">
                  <li>编号：{nextNumber(list, scope.prefix(current.figures), year)}（由系统按印发顺序编定）</li>
                  {scope.frozen(current)}
                </ul>
                {scope.frozenHint && <p className="hint">{scope.frozenHint}</p>}
                <button type="button" className="button button-primary" onClick={() => act('issue', null, (b) => `已印发：${b.number}。`)}>
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
                  <button type="button" className="button" onClick={() => act('publish', { visibility: 'public' }, () => '已在网站公开。')}>
                    在网站公开
                  </button>
                ) : (
                  <>
                    <a className="button" href={`${scope.itemPath}/${current.id}/print`}>
                      公开的打印页
                    </a>
                    <button type="button" className="button" onClick={() => act('publish', { visibility: 'internal' }, () => '已设为内部。')}>
                      取消公开
                    </button>
                  </>
                )}
              </>
            )}
          </div>
        </section>
      )}
      <section className="console-panel" aria-labelledby={`${f}-list`}>
        <h2 id={`${f}-list`}>{scope.listHeading}</h2>
        {list.length === 0 ? (
          <p>还没有通报。</p>
        ) : (
          <ul className="console-list">
            {list.map((b) => (
              <li key={b.id}>
                <button type="button" className="button" onClick={() => void open(b.id)}>
                  {b.number ?? '草稿'}：{b.title}
                </button>
                <p>
                  {scope.listLine ? `${scope.listLine(b)}；` : ''}
                  {b.state === 'issued' ? `印发于 ${cstTime(b.issued_at)}，${b.visibility === 'public' ? '已公开' : '内部'}` : `起草于 ${cstTime(b.created_at)}`}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
