/**
 * Supervisor: record an inspection (InspectionInput, the API's schema): date, title, inspectors,
 * findings, and rectification items (整改) with their responsible unit and deadline.
 * The form is kept as a draft in this browser until the server has stored it; attached photos and
 * PDFs (佐证材料, internal: inspections have no public page) wait in IndexedDB, are uploaded on
 * saving — each once, its sha256 kept on the draft — and travel as `attachments`.
 */
import { useEffect, useRef, useState } from 'react';
import { InspectionInput } from '../../../../worker/domain/inspection.ts';
import { api, ApiFailure, failureText, newKey } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors, UnitOptions } from '../forms.tsx';
import { cstTime, todayCst } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';
import { Attachments } from '../Attachments.tsx';
import { attachmentProblems, sizeText } from '../evidence-plan.ts';
import { deleteBlobs, getBlob, upload } from '../evidence-store.ts';
import type { DraftFile } from '../queue.ts';
import { AttachmentList, type AttachmentView } from '../evidence-view.tsx';

interface Form {
  key: string;
  inspected_on: string;
  title: string;
  inspectors: string;
  findings: string;
  rectifications: { title: string; unit: string; due_on: string }[];
  files?: DraftFile[];
}
interface Saved {
  id: string;
  inspected_on: string;
  title: string;
  created_at?: string;
  rectifications: { ref: string; title: string; due_on: string }[];
  attachments?: AttachmentView[];
}

const blank = (): Form => ({ key: newKey(), inspected_on: todayCst(), title: '', inspectors: '', findings: '', rectifications: [] });
const LABELS: Record<string, string> = { inspected_on: '检查日期', title: '检查名称', inspectors: '检查人员', findings: '发现的问题', rectifications: '整改事项', attachments: '佐证材料' };
const label = (p: string) => {
  const [h, i, leaf] = p.split('.');
  const sub: Record<string, string> = { title: '事项', unit: '责任单位', due_on: '整改时限', text: '内容', caption: '说明', file: '文件' };
  return i !== undefined ? `${LABELS[h!] ?? h} 第${Number(i) + 1}项${leaf ? `的${sub[leaf] ?? leaf}` : ''}` : (LABELS[h!] ?? p);
};

export default function Inspections({ session, town }: ScreenProps) {
  const store = `dtt.console.inspection.${session.account.id}`;
  const [form, setForm] = useState<Form>(() => JSON.parse(localStorage.getItem(store) ?? 'null') ?? blank());
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [list, setList] = useState<Saved[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [message, setMessage] = useState('');
  const summary = useRef<HTMLDivElement>(null);
  const top = useRef<HTMLDivElement>(null);
  const [sending, setSending] = useState('');
  const files = form.files ?? [];

  const load = () => api<{ inspections: Saved[] }>(`/api/v1/towns/${town}/inspections`).then((r) => setList(r.inspections), (e) => setFailure(failureText(e)));
  useEffect(() => {
    loadPlan(town).then(setPlan, (e) => setFailure(failureText(e)));
    void load();
  }, [town, session.token]);
  const change = (f: Form) => {
    setForm(f);
    localStorage.setItem(store, JSON.stringify(f));
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
    const v = check(InspectionInput, {
      inspected_on: form.inspected_on,
      title: form.title,
      inspectors: lines(form.inspectors),
      findings: lines(form.findings).map((text) => ({ text })),
      rectifications: form.rectifications,
    });
    const fileErrors = attachmentProblems(files);
    if (!v.ok || Object.keys(fileErrors).length) {
      setErrors({ ...(v.ok ? {} : v.errors), ...fileErrors });
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      // Each file once: a sha256 already answered is kept on the draft, so saving again sends only what is missing.
      let current = form;
      for (const [i, f] of files.entries()) {
        const up = async (local: string | null, sha: string | undefined) => {
          if (sha || !local) return sha;
          const blob = await getBlob(local);
          if (!blob) throw new ApiFailure(0, 'file_lost', `第${i + 1}个文件在本机已丢失，请移除后重新添加。`);
          return (await upload(town, blob, (n, t) => setSending(`正在上传第 ${i + 1} 个文件（共 ${files.length} 个，${sizeText(f.bytes)}）：${Math.floor((n / t) * 100)}%`))).file;
        };
        const [file, thumb] = await Promise.all([up(f.id, f.file), up(f.thumbId, f.thumb)]);
        current = { ...current, files: (current.files ?? []).map((x) => (x.id === f.id ? { ...x, file, thumb } : x)) };
        change(current);
      }
      setSending('');
      const attachments = (current.files ?? []).map((f) => ({ file: f.file!, caption: f.caption.trim(), ...(f.thumb ? { thumb: f.thumb } : {}) }));
      const r = await api<Saved>(`/api/v1/towns/${town}/inspections`, { method: 'POST', body: attachments.length ? { ...v.data, attachments } : v.data, headers: { 'Idempotency-Key': form.key } });
      setErrors({});
      localStorage.removeItem(store);
      await deleteBlobs(files.flatMap((f) => (f.thumbId ? [f.id, f.thumbId] : [f.id]))).catch(() => undefined);
      setForm(blank());
      setMessage(`已记录检查“${r.title}”${r.rectifications.length ? `，整改事项 ${r.rectifications.length} 项已交给责任单位` : ''}${r.attachments?.length ? `，附佐证材料 ${r.attachments.length} 个` : ''}。`);
      await load();
      requestAnimationFrame(() => top.current?.focus());
    } catch (e) {
      setSending('');
      if (e instanceof ApiFailure && e.fields.length) {
        setErrors(toErrors(e.fields));
        requestAnimationFrame(() => summary.current?.focus());
      } else setFailure(failureText(e));
    }
  };

  return (
    <>
      <div ref={top} tabIndex={-1}>
        {message && <Notice kind="ok">{message}</Notice>}
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form className="console-panel" onSubmit={submit} noValidate>
        <h2>记录一次督导检查</h2>
        <ErrorSummary form="insp" errors={errors} labels={label} summaryRef={summary} />
        <Field form="insp" path="inspected_on" label="检查日期" errors={errors}>
          {(a) => <input {...a} type="date" value={form.inspected_on} onChange={(e) => change({ ...form, inspected_on: e.target.value })} />}
        </Field>
        <Field form="insp" path="title" label="检查名称" errors={errors}>
          {(a) => <input {...a} value={form.title} onChange={(e) => change({ ...form, title: e.target.value })} />}
        </Field>
        <Field form="insp" path="inspectors" label="检查人员" hint="每行一人" errors={errors}>
          {(a) => <textarea {...a} value={form.inspectors} onChange={(e) => change({ ...form, inspectors: e.target.value })} />}
        </Field>
        <Field form="insp" path="findings" label="发现的问题" hint="每行一条" errors={errors}>
          {(a) => <textarea {...a} value={form.findings} onChange={(e) => change({ ...form, findings: e.target.value })} />}
        </Field>
        <fieldset>
          <legend>整改事项</legend>
          {form.rectifications.map((r, i) => {
            const upd = (k: keyof typeof r, v: string) => change({ ...form, rectifications: form.rectifications.map((x, j) => (j === i ? { ...x, [k]: v } : x)) });
            return (
              <div key={i} className="console-grid">
                <Field form="insp" path={`rectifications.${i}.title`} label={`第${i + 1}项 整改事项`} errors={errors}>
                  {(a) => <input {...a} value={r.title} onChange={(e) => upd('title', e.target.value)} />}
                </Field>
                <Field form="insp" path={`rectifications.${i}.unit`} label="责任单位" errors={errors}>
                  {(a) => (
                    <select {...a} value={r.unit} onChange={(e) => upd('unit', e.target.value)}>
                      <option value="">请选择</option>
                      <UnitOptions units={plan?.plan.units} />
                    </select>
                  )}
                </Field>
                <Field form="insp" path={`rectifications.${i}.due_on`} label="整改时限" errors={errors}>
                  {(a) => <input {...a} type="date" value={r.due_on} onChange={(e) => upd('due_on', e.target.value)} />}
                </Field>
                <p>
                  <button type="button" className="button" onClick={() => change({ ...form, rectifications: form.rectifications.filter((_, j) => j !== i) })}>
                    删除第{i + 1}项整改事项
                  </button>
                </p>
              </div>
            );
          })}
          <button type="button" className="button" onClick={() => change({ ...form, rectifications: [...form.rectifications, { title: '', unit: '', due_on: '' }] })}>
            添加整改事项
          </button>
        </fieldset>
        <Attachments
          form="insp"
          files={files}
          errors={errors}
          onChange={(f) => change({ ...form, files: f })}
          onRemoved={(gone) => void deleteBlobs(gone.flatMap((f) => (f.thumbId ? [f.id, f.thumbId] : [f.id]))).catch(() => undefined)}
          visibilityNote="检查的佐证材料仅内部可见，不会公开。"
        />
        <p className="hint" role="status">
          {sending}
        </p>
        <button type="submit" className="button button-primary" disabled={!!sending}>
          保存检查记录
        </button>
      </form>
      <section className="console-panel" aria-labelledby="insp-list">
        <h2 id="insp-list">已记录的检查</h2>
        {list.length === 0 ? (
          <p>还没有检查记录。</p>
        ) : (
          <ul className="console-list">
            {list.map((i) => (
              <li key={i.id}>
                <strong>{i.inspected_on}</strong> {i.title}
                {i.created_at ? `（记录于 ${cstTime(i.created_at)}）` : ''}；整改事项 {i.rectifications.length} 项
                {i.attachments?.length ? `；佐证材料 ${i.attachments.length} 个` : ''}
                <AttachmentList town={town} attachments={i.attachments ?? []} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
