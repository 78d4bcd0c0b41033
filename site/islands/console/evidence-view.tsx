/**
 * Stored attachments as the console shows them (an update's or an inspection's, UpdateView's
 * `attachments` in docs/evidence.md): each photo's thumbnail, fetched with the session (private
 * files need it) and shown as a data: URL (the console's CSP allows no blob: images); the full
 * size on tap; a PDF as a download.
 */
import { useEffect, useState } from 'react';
import { download, failureText, request } from './api.ts';
import { dataUrl } from './evidence-store.ts';
import { sizeText } from './evidence-plan.ts';

/** One attachment as the API returns it (type only: the worker's zod schemas stay out of this chunk). */
export type { AttachmentView } from '../../../worker/domain/files.ts';
import type { AttachmentView } from '../../../worker/domain/files.ts';

export const VISIBILITY_ZH: Record<AttachmentView['visibility'], string> = { public: '公开', internal: '仅内部' };

const filePath = (town: string, sha: string) => `/api/v1/towns/${encodeURIComponent(town)}/files/${sha}`;

/** Kept for the page's life: a thumbnail is fetched once however often the list re-renders. */
const loaded = new Map<string, Promise<string>>();
function imageOf(town: string, sha: string): Promise<string> {
  const k = `${town}/${sha}`;
  let p = loaded.get(k);
  if (!p) {
    p = request(filePath(town, sha), { headers: { accept: 'image/*' } })
      .then((r) => r.blob())
      .then(dataUrl);
    p.catch(() => loaded.delete(k));
    loaded.set(k, p);
  }
  return p;
}

/** A stored photo (its thumbnail, or the full size). */
export function ServerImage({ town, sha, alt, className, width, height }: { town: string; sha: string; alt: string; className?: string; width?: number | null; height?: number | null }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState('');
  useEffect(() => {
    let live = true;
    imageOf(town, sha).then(
      (u) => live && setSrc(u),
      (e) => live && setFailed(failureText(e)),
    );
    return () => void (live = false);
  }, [town, sha]);
  if (failed) return <span className={`file-icon ${className ?? ''}`}>图片读取失败</span>;
  return src ? <img className={className} src={src} alt={alt} width={width ?? undefined} height={height ?? undefined} /> : <span className={`file-icon ${className ?? ''}`}>正在读取……</span>;
}

/** A thumbnail that opens the full-size photo in place on tap (a PDF: downloads it). */
export function AttachmentPreview({ town, a, index }: { town: string; a: AttachmentView; index: number }) {
  const [full, setFull] = useState(false);
  const [failure, setFailure] = useState('');
  if (a.type === 'application/pdf')
    return (
      <>
        <button type="button" className="button" onClick={() => download(filePath(town, a.file), `${a.caption.slice(0, 40) || `附件${index + 1}`}.pdf`).catch((e) => setFailure(failureText(e)))}>
          下载 PDF：{a.caption}（{sizeText(a.bytes)}）
        </button>
        {failure && <p className="field-error">{failure}</p>}
      </>
    );
  return (
    <>
      <button type="button" className="thumb-button" aria-expanded={full} aria-label={full ? `收起大图：${a.caption}` : `查看大图：${a.caption}`} onClick={() => setFull(!full)}>
        <ServerImage town={town} sha={a.thumb ?? a.file} alt={a.caption} className="attachment-thumb" />
      </button>
      {full && <ServerImage town={town} sha={a.file} alt={a.caption} className="attachment-full" width={a.width} height={a.height} />}
    </>
  );
}

/** A read-only list: thumbnail, caption, who may see it. */
export function AttachmentList({ town, attachments }: { town: string; attachments: AttachmentView[] }) {
  if (!attachments.length) return null;
  return (
    <ul className="attachment-list" aria-label="佐证材料">
      {attachments.map((a, i) => (
        <li key={a.id} data-attachment={a.id}>
          <AttachmentPreview town={town} a={a} index={i} />
          <p className="attachment-meta">
            {a.caption}（{VISIBILITY_ZH[a.visibility]}）
          </p>
        </li>
      ))}
    </ul>
  );
}
