/**
 * Admin: the evidence files (佐证材料) each town has stored and the space they take
 * (GET /api/v1/admin/storage), as a small table on the accounts screen.
 */
import { useEffect, useState } from 'react';
import { api, failureText } from '../api.ts';
import { Notice } from '../forms.tsx';

interface TownStorage {
  town: string;
  name: string;
  files: number;
  bytes: number;
}

/** 0 → "0 KB", 1,536 → "1.5 KB", 2,621,440 → "2.5 MB" (1 KB = 1,024 bytes). */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes === 0 ? 0 : Math.max(0.1, Math.round(bytes / 102.4) / 10)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export default function Storage() {
  const [towns, setTowns] = useState<TownStorage[] | null>(null);
  const [failure, setFailure] = useState('');
  useEffect(() => {
    api<{ towns: TownStorage[] }>('/api/v1/admin/storage').then((r) => setTowns(r.towns), (e) => setFailure(failureText(e)));
  }, []);
  return (
    <section className="console-panel" aria-labelledby="storage-title">
      <h2 id="storage-title">佐证材料占用空间</h2>
      {failure && <Notice kind="error">{failure}</Notice>}
      {!towns ? (
        !failure && <p>正在读取……</p>
      ) : (
        <table className="console-table storage-table">
          <caption>各镇已上传的照片和文件（同一文件在一个镇只计一次）</caption>
          <thead>
            <tr>
              <th scope="col">镇</th>
              <th scope="col">文件数</th>
              <th scope="col">占用空间</th>
            </tr>
          </thead>
          <tbody>
            {towns.map((t) => (
              <tr key={t.town} data-town={t.town}>
                <th scope="row">{t.name}</th>
                <td>{t.files}</td>
                <td>{sizeText(t.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
