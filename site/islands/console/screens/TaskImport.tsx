/**
 * The task table as a file: export (XLSX, CSV) and import. An import is checked first (dry run:
 * every row validated by the server, nothing written) and shows either every row's problem or
 * what would change, column by column (before → after); only then can it be applied — all rows or
 * none. Rows edited on a copy exported before someone else's change are listed as conflicts (the
 * system's value beside the file's) and nothing is applied until the office re-exports or ticks
 * 以文件为准 for each such row.
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
  diff: { column: string; before: string; after: string }[];
  kept_file: boolean;
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
  /** Conflicting rows (from a 409 import_conflict): row number → the system's and the file's values. */
  const [conflicts, setConflicts] = useState<Map<number, string[]>>(new Map());
  const [keep, setKeep] = useState<Set<number>>(new Set());
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
    setConflicts(new Map());
    const query = new URLSearchParams();
    if (dry) query.set('dry_run', '1');
    if (keep.size) query.set('keep_file_rows', [...keep].sort((a, b) => a - b).join(','));
    try {
      const qs = query.toString();
      const r = await api<Result>(`/api/v1/towns/${town}/tasks/import${qs ? `?${qs}` : ''}`, { method: 'POST', raw: file, headers: dry ? {} : { 'Idempotency-Key': key } });
      if (dry) setPlan(r);
      else {
        setPlan(null);
        setFile(null);
        setKey(newKey());
        setKeep(new Set());
        if (input.current) input.current.value = '';
        onImported(`已导入：新增 ${r.created} 项，修改 ${r.updated} 项，未变 ${r.unchanged} 项。`);
      }
    } catch (e) {
      setPlan(null);
      if (e instanceof ApiFailure && e.code === 'import_conflict') {
        const byRow = new Map<number, string[]>();
        for (const f of e.fields) {
          const row = Number(f.path.split('.')[1]);
          byRow.set(row, [...(byRow.get(row) ?? []), f.message]);
        }
        setConflicts(byRow);
        setFailure(e.message);
      } else if (e instanceof ApiFailure && e.fields.length) {
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
            setConflicts(new Map());
            setKeep(new Set());
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
        {conflicts.size > 0 && (
          <div className="import-conflicts">
            <p>以下各行在您导出之后，系统中又被修改过。请重新导出后再修改；或者逐行确认以文件为准，然后重新检查文件。</p>
            <ul>
              {[...conflicts].map(([row, lines]) => (
                <li key={row}>
                  <ul>
                    {lines.map((l, i) => (
                      <li key={i}>{l}</li>
                    ))}
                  </ul>
                  <label>
                    <input
                      type="checkbox"
                      checked={keep.has(row)}
                      onChange={(e) => {
                        const next = new Set(keep);
                        if (e.target.checked) next.add(row);
                        else next.delete(row);
                        setKeep(next);
                        setKey(newKey());
                      }}
                    />{' '}
                    第{row}行以文件为准（覆盖系统中的修改）
                  </label>
                </li>
              ))}
            </ul>
          </div>
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
                    {c.kept_file ? '（以文件为准）' : ''}
                    {c.action === 'update' && c.diff.length > 0 && (
                      <ul>
                        {c.diff.map((d) => (
                          <li key={d.column}>
                            {d.column}：{d.before || '（空）'} → {d.after || '（空）'}
                          </li>
                        ))}
                      </ul>
                    )}
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
