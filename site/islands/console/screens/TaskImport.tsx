/** The task table as a file: export (CSV, XLSX) and import. */
import { useState } from 'react';
import { download, failureText } from '../api.ts';
import { Notice } from '../forms.tsx';

export function TaskImport({ town }: { town: string; onImported: (msg: string) => void }) {
  const [failure, setFailure] = useState('');
  const file = (ext: 'csv' | 'xlsx') => download(`/api/v1/towns/${town}/tasks/export.${ext}`, `${town}-任务分解表.${ext}`).then(() => setFailure(''), (e) => setFailure(failureText(e)));
  return (
    <section className="console-panel" aria-labelledby="io-title">
      <h2 id="io-title">导出</h2>
      {failure && <Notice kind="error">{failure}</Notice>}
      <div className="console-actions">
        <button type="button" className="button" onClick={() => file('xlsx')}>
          导出 Excel（XLSX）
        </button>
        <button type="button" className="button" onClick={() => file('csv')}>
          导出 CSV
        </button>
      </div>
    </section>
  );
}
