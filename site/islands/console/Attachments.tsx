/**
 * 佐证材料 in a form (an update, an inspection): pick photos or PDFs, each shrunk here and kept in
 * IndexedDB at once (so it survives a reload and waits offline), shown with a preview, a required
 * caption (the alt text) and a remove button. What the form holds is DraftFile metadata only.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { MAX_FILES, PHOTO, sizeText } from './evidence-plan.ts';
import { dataUrl, getBlob, putBlob } from './evidence-store.ts';
import { Field, type Errors } from './forms.tsx';
import type { DraftFile } from './queue.ts';

/** A kept photo's thumbnail as an <img> (a data: URL: the console's CSP allows no blob: images). */
export function LocalThumb({ file, className }: { file: DraftFile; className?: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (file.thumbId) void getBlob(file.thumbId).then((b) => b && dataUrl(b)).then((u) => live && u && setSrc(u), () => undefined);
    return () => void (live = false);
  }, [file.thumbId]);
  if (file.kind === 'pdf') return <span className={`file-icon ${className ?? ''}`}>PDF</span>;
  return src ? <img className={className} src={src} alt={file.caption.trim() || `照片：${file.name}`} /> : <span className={`file-icon ${className ?? ''}`}>照片</span>;
}

interface Props {
  form: string;
  files: DraftFile[];
  onChange: (files: DraftFile[]) => void;
  /** Called with files taken out of the form, so their bytes can be forgotten. */
  onRemoved: (files: DraftFile[]) => void;
  errors: Errors;
  /** A note above the picker (the task requires evidence for 已完成). */
  note?: ReactNode;
  /** Who sees the files until the office decides (updates), or that they stay internal (inspections). */
  visibilityNote: string;
}

export function Attachments({ form, files, onChange, onRemoved, errors, note, visibilityNote }: Props) {
  const [busy, setBusy] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const left = MAX_FILES - files.length;

  const pick = async (list: FileList | null) => {
    if (!list?.length) return;
    const picked = [...list];
    const taken = picked.slice(0, Math.max(0, left));
    const out: string[] = picked.length > taken.length ? [`最多附 ${MAX_FILES} 个文件，多选的 ${picked.length - taken.length} 个没有添加。`] : [];
    const added: DraftFile[] = [];
    // The shrinker (canvas code) loads when the first file is picked, not with the screen.
    const { prepare, Unattachable } = await import('./shrink.ts');
    for (const [i, f] of taken.entries()) {
      setBusy(`正在处理第 ${i + 1} 个（共 ${taken.length} 个）：${f.name}……`);
      try {
        const p = await prepare(f);
        const id = await putBlob(p.main);
        const thumbId = p.thumb ? await putBlob(p.thumb) : null;
        added.push({ id, thumbId, name: f.name, kind: p.kind, bytes: p.main.size, thumbBytes: p.thumb?.size ?? 0, width: p.width, height: p.height, caption: '', original: p.original });
      } catch (e) {
        out.push(`${f.name}：${e instanceof Unattachable ? e.message : '无法保存到本机（存储空间可能已满），请清理手机后重试。'}`);
      }
    }
    setBusy('');
    setProblems(out);
    if (added.length) onChange([...files, ...added]);
  };

  const caption = (i: number, v: string) => onChange(files.map((x, j) => (j === i ? { ...x, caption: v } : x)));
  const remove = (i: number) => {
    onRemoved([files[i]!]);
    onChange(files.filter((_, j) => j !== i));
  };

  return (
    <fieldset className="attachments">
      <legend>佐证材料（照片或 PDF，最多 {MAX_FILES} 个）</legend>
      {note}
      <p className="hint">
        照片会在本机压缩（最长边不超过 {PHOTO.maxSide} 像素、{PHOTO.maxBytes / 1024} KB 以内）再发送，拍摄地点等信息会被去掉。每个文件都要写一句说明。{visibilityNote}
      </p>
      {errors.attachments && (
        <p className="field-error" id={`${form}-attachments-error`}>
          {errors.attachments}
        </p>
      )}
      {files.length > 0 && (
        <ul className="attachment-list">
          {files.map((f, i) => (
            <li key={f.id} data-file={f.id}>
              <LocalThumb file={f} className="attachment-thumb" />
              <p className="attachment-meta">
                {f.name}
                <br />
                {f.kind === 'photo' ? `已压缩：${f.original ? `${sizeText(f.original)} → ` : ''}${sizeText(f.bytes)}，${f.width}×${f.height}` : `PDF，${sizeText(f.bytes)}`}
              </p>
              <Field form={form} path={`attachments.${i}.caption`} label={`第${i + 1}个文件的说明（必填）`} hint="这张照片或文件是什么，例如“新建的日间照料中心外景”。" errors={errors}>
                {(a) => <input {...a} maxLength={200} value={f.caption} onChange={(e) => caption(i, e.target.value)} />}
              </Field>
              <button type="button" className="button" onClick={() => remove(i)}>
                移除第{i + 1}个文件
              </button>
            </li>
          ))}
        </ul>
      )}
      {left > 0 && (
        <div className="field">
          <label htmlFor={`${form}-files`}>{files.length ? `再添加照片或文件（还可添加 ${left} 个）` : '添加照片或文件'}</label>
          <input
            id={`${form}-files`}
            className="file-input"
            type="file"
            multiple
            accept="image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif,application/pdf"
            disabled={!!busy}
            onChange={(e) => {
              const input = e.currentTarget;
              void pick(input.files).finally(() => (input.value = ''));
            }}
          />
        </div>
      )}
      <p className="hint" role="status">
        {busy}
      </p>
      {problems.length > 0 && (
        <div className="field-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      )}
    </fieldset>
  );
}
