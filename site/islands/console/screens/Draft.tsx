/**
 * Admin: 方案起草 — upload a new town's 工作方案 (.docx, .txt, .md) and download its draft content folder
 * as a zip (the same files and DRAFT.md as `npm run plan:draft`). Nothing is published from here: the
 * draft goes through DRAFT.md's decisions, `npm run content:check` and `npm run db:load`.
 */
import { useRef, useState } from 'react';
import { PlanDraftInput } from '../../../../worker/domain/plan-draft/input.ts';
import { decodeText, documentFormat, DocumentError } from '../../../../worker/domain/plan-draft/document.ts';
import { ApiFailure, failureText, request } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors } from '../forms.tsx';

const LABELS: Record<string, string> = { file_name: '工作方案文件', town: '乡镇标识', text: '工作方案文件' };

export default function Draft(_: ScreenProps) {
  const [town, setTown] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [done, setDone] = useState<{ name: string; decisions: string; unlisted: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);

  const fail = (e: Errors) => {
    setErrors(e);
    requestAnimationFrame(() => summary.current?.focus());
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    setDone(null);
    if (!file) return fail({ file_name: '请选择工作方案文件（.docx、.txt 或 .md）' });
    let text: string;
    try {
      const format = documentFormat(file.name);
      setBusy(true);
      text = format === 'docx' ? await (await import('../docx-text.ts')).docxText(file) : decodeText(new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      setBusy(false);
      return fail({ file_name: e instanceof DocumentError ? e.message.split(' / ')[0]! : '无法读取这个文件，请确认它是 Word 文档 (.docx) 或文本文件。' });
    }
    const v = check(PlanDraftInput, { town, file_name: file.name, text });
    if (!v.ok) {
      setBusy(false);
      const { text: textError, ...rest } = v.errors;
      return fail(textError ? { ...rest, file_name: textError } : rest);
    }
    try {
      const res = await request('/api/v1/plan-drafts', { method: 'POST', body: v.data, headers: { accept: 'application/zip, application/json' } });
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${town}-draft.zip`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setErrors({});
      setDone({ name: `${town}-draft.zip`, decisions: res.headers.get('X-Draft-Decisions') ?? '?', unlisted: res.headers.get('X-Draft-Check-Unlisted') ?? '?' });
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (e) {
      if (e instanceof ApiFailure && e.fields.length) fail(toErrors(e.fields));
      else setFailure(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="console-panel" aria-labelledby="draft-title">
      <h2 id="draft-title">从工作方案生成新乡镇草稿</h2>
      <p>上传一个乡镇的工作方案（Word 文档 .docx，或 .txt、.md 文本），下载它的草稿（zip 压缩包）：方案全文、乡镇概况、责任单位、领导小组、目标和任务分解，另附 DRAFT.md，逐条列出须由人核对和决定的事项。</p>
      <p>
        <strong>草稿不会直接发布。</strong>把压缩包交给维护人员：按 DRAFT.md 逐条处理后放进 content/towns/，运行 npm run content:check 通过，再运行 npm run db:load，新乡镇才会上线。
      </p>
      <div ref={doneRef} tabIndex={-1}>
        {done && (
          <Notice kind="ok">
            <p>
              已生成 {done.name}，DRAFT.md 中有 {done.decisions} 项待决定。
              {done.unlisted === '0' ? '除 DRAFT.md 所列事项外，content:check 对草稿无其他问题。' : `另有 ${done.unlisted} 个 content:check 问题未列入决定，见 DRAFT.md 末尾。`}
            </p>
          </Notice>
        )}
      </div>
      {failure && <Notice kind="error">{failure}</Notice>}
      <form onSubmit={submit} noValidate>
        <ErrorSummary form="draft" errors={errors} labels={(p) => LABELS[p] ?? p} summaryRef={summary} />
        <Field form="draft" path="file_name" label="工作方案文件" hint="Word 文档 (.docx)、.txt 或 .md。.doc、.wps 或 PDF 请先用 Word 或 WPS“另存为”.docx。" errors={errors}>
          {(a) => <input {...a} type="file" accept=".docx,.txt,.md" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}
        </Field>
        <Field form="draft" path="town" label="乡镇标识" hint="小写拼音，用连字符连接，例如 xiazhuang；上线后不再更改。" errors={errors}>
          {(a) => <input {...a} autoCapitalize="none" spellCheck={false} value={town} onChange={(e) => setTown(e.target.value.trim())} />}
        </Field>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? '正在生成……' : '生成草稿并下载'}
        </button>
      </form>
    </section>
  );
}
