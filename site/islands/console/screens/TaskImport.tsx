/**
 * The task table as a file: export (XLSX, CSV) and import. An import is checked first (dry run:
 * every row validated by the server, nothing written) and shows either every row's problem or
 * what would change; only then can it be applied — all rows or none.
 */
import { useRef, useState } from 'react';
import { api, ApiFailure, download, failureText, newKey, type FieldProblem } from '../api.ts';
import { Notice } from '../forms.tsx';

interface Change {
  row: number;
  action: 'create' | 'update';
  code: string;
  title: string;
  fields: string[];
}
interface Result {
  dry_run: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  not_in_file: number;
  changes: Change[];
}

export function TaskImport({ town, onImported }: { town: string; onImported: (msg: string) => void }) {
  const [failure, setFailure] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState(newKey);
  const [plan, setPlan] = useState<Result | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const out = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const exportAs = (ext: 'csv' | 'xlsx') =>
    download(`/api/v1/towns/${town}/tasks/export.${ext}`, `${town}-任务分解表.${ext}`).then(
      () => setFailure(''),
      (e) => setFailure(failureText(e)),
    );

  const send = async (dry: boolean) => {
    if (!file) {
      setFailure('请先选择一个 XLSX 或 CSV 文件。');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setFailure('');
    setProblems([]);
    try {
      const r = await api<Result>(`/api/v1/towns/${town}/tasks/import${dry ? '?dry_run=1' : ''}`, { method: 'POST', raw: file, headers: dry ? {} : { 'Idempotency-Key': key } });
      if (dry) setPlan(r);
      else {
        setPlan(null);
        setFile(null);
        setKey(newKey());
        if (input.current) input.current.value = '';
        onImported(`已导入：新增 ${r.created} 项，修改 ${r.updated} 项，未变 ${r.unchanged} 项。`);
      }
    } catch (e) {
      setPlan(null);
      if (e instanceof ApiFailure && e.fields.length) {
        setProblems(e.fields);
        setFailure(e.message);
      } else setFailure(e instanceof ApiFailure && e.code === 'tasks_changed' ? '任务表在检查之后被修改过，请重新检查文件。' : failureText(e));
    } finally {
      setBusy(false);
      requestAnimationFrame(() => out.current?.focus());
    }
  };

  return (
    <section className="console-panel" aria-labelledby="io-title">
      <h2 id="io-title">导出和导入</h2>
      <div className="console-actions">
        <button type="button" className="button" onClick={() => exportAs('xlsx')}>
          导出 Excel（XLSX）
        </button>
        <button type="button" className="button" onClick={() => exportAs('csv')}>
          导出 CSV
        </button>
      </div>
      <div className="field">
        <label htmlFor="import-file">导入任务分解表（XLSX 或 CSV，表头与导出的文件相同）</label>
        <input
          id="import-file"
          ref={input}
          type="file"
          accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setPlan(null);
            setProblems([]);
            setFailure('');
            setKey(newKey());
          }}
        />
      </div>
      <div className="console-actions">
        <button type="button" className="button" disabled={busy} onClick={() => send(true)}>
          检查文件
        </button>
        {plan && plan.created + plan.updated > 0 && (
          <button type="button" className="button button-primary" disabled={busy} onClick={() => send(false)}>
            确认导入（{plan.created + plan.updated} 项变化）
          </button>
        )}
      </div>
      <div ref={out} tabIndex={-1} className="import-result">
        {failure && <Notice kind="error">{failure}</Notice>}
        {problems.length > 0 && (
          <ul className="import-problems">
            {problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        )}
        {plan && (
          <Notice kind="info">
            <p>
              检查通过：共 {plan.rows} 行，将新增 {plan.created} 项、修改 {plan.updated} 项，{plan.unchanged} 项不变；文件中没有的 {plan.not_in_file} 项保持不变（导入从不删除任务）。
            </p>
            {plan.changes.length > 0 && (
              <ul>
                {plan.changes.map((c) => (
                  <li key={c.row}>
                    第{c.row}行：{c.action === 'create' ? '新增' : '修改'} {c.code} {c.title}
                    {c.fields.length ? `（${c.fields.join('、')}）` : ''}
                  </li>
                ))}
              </ul>
            )}
          </Notice>
        )}
      </div>
    </section>
  );
}
