/**
 * Evidence (佐证材料) in the console as pure rules, tested in tests/domain/console-evidence.test.ts:
 * what a picked file is (by its bytes, as the Worker decides it), how far a photo is shrunk (the
 * sizes and JPEG qualities tried in turn until it fits), and what the form refuses before the
 * server would (count, captions, 已完成 without evidence on a task that requires it).
 * The limits are docs/evidence.md's (worker/domain/files.ts FILE_LIMITS; copied here, not imported,
 * because that module builds zod schemas the report list must not load — the domain test keeps
 * them equal).
 */

/** At most this many files per update or inspection. */
export const MAX_FILES = 5;
/** A shrunk photo: longest side and bytes. */
export const PHOTO = { maxSide: 1600, maxBytes: 300 * 1024 } as const;
/** Its thumbnail, uploaded as a file of its own. */
export const THUMB = { maxSide: 320, maxBytes: 30 * 1024 } as const;
/** A PDF is sent as it is, up to the Worker's limit. */
export const PDF_MAX_BYTES = 10 * 1024 * 1024;
/** Caption (the alt text) length. */
export const CAPTION_MAX = 200;

/** What a file is, by its first bytes: a photo the browser may shrink, a PDF, a HEIC/HEIF photo, or nothing we take. */
export type FileKind = 'jpeg' | 'png' | 'webp' | 'heic' | 'pdf' | null;

/** Sniffs the first 16 bytes (magic numbers); the name and the browser's type are never trusted. */
export function sniff(head: Uint8Array): FileKind {
  const at = (i: number, s: string) => [...s].every((c, j) => head[i + j] === c.charCodeAt(0));
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head[0] === 0x89 && at(1, 'PNG\r\n\x1a\n')) return 'png';
  if (at(0, 'RIFF') && at(8, 'WEBP')) return 'webp';
  if (at(0, '%PDF-')) return 'pdf';
  if (at(4, 'ftyp') && ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].some((b) => at(8, b))) return 'heic';
  return null;
}

/** The size a w×h picture is drawn at so its longest side is at most `max` (never enlarged). */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= max) return { width, height };
  const k = max / long;
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** One try at encoding: the size to draw and the JPEG quality. */
export interface ShrinkStep {
  width: number;
  height: number;
  quality: number;
}

/**
 * The encodings tried in turn for a w×h photo until one is at most `maxBytes`: the largest size
 * allowed at falling quality first (0.72 down to 0.5), then smaller sizes (each 80 % of the last)
 * at 0.6 and 0.5, down to a quarter of the longest side. Starting at 0.72, not 0.9: a camera
 * photo at 1600 px then fits in one or two tries, and a smaller file is what a 50 kB/s line
 * waits for. The last step is the smallest the planner will make; if that is still too big the
 * photo is refused with a message (no real photo gets there).
 */
export function shrinkSteps(width: number, height: number, limits: { maxSide: number } = PHOTO): ShrinkStep[] {
  const first = fitWithin(width, height, limits.maxSide);
  const steps: ShrinkStep[] = [0.72, 0.64, 0.56, 0.5].map((quality) => ({ ...first, quality }));
  let side = Math.max(first.width, first.height);
  const floor = Math.max(1, Math.round(side / 4));
  while (side * 0.8 >= floor) {
    side = Math.round(side * 0.8);
    const s = fitWithin(first.width, first.height, side);
    steps.push({ ...s, quality: 0.6 }, { ...s, quality: 0.5 });
  }
  return steps;
}

/** The thumbnail's tries: 320 px at falling quality, then 240 px. */
export function thumbSteps(width: number, height: number): ShrinkStep[] {
  const big = fitWithin(width, height, THUMB.maxSide);
  const small = fitWithin(width, height, 240);
  return [0.7, 0.6, 0.5, 0.4].map((quality) => ({ ...big, quality })).concat([0.5, 0.4].map((quality) => ({ ...small, quality })));
}

/** A file as the form holds it (its bytes wait in IndexedDB under `blob` / `thumbBlob`). */
export interface PickedFile {
  caption: string;
}

/** Field problems of the attachments before anything is sent, keyed as the API names them. */
export function attachmentProblems(files: PickedFile[], opts: { status?: string; evidenceRequired?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (files.length > MAX_FILES) out.attachments = `最多附 ${MAX_FILES} 个文件`;
  else if (opts.evidenceRequired && opts.status === 'completed' && files.length === 0) out.attachments = EVIDENCE_REQUIRED;
  files.forEach((f, i) => {
    const c = f.caption.trim();
    if (!c) out[`attachments.${i}.caption`] = '请写一句说明（这张照片或文件是什么）';
    else if (c.length > CAPTION_MAX) out[`attachments.${i}.caption`] = `说明不能超过${CAPTION_MAX}字`;
  });
  return out;
}

/** The API's own words for the evidence rule (docs/evidence.md). */
export const EVIDENCE_REQUIRED = '这项任务须附佐证材料（照片或文件）才能报“已完成”';

/** 1234567 → "1.2 MB", 34567 → "34 KB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Why a picked file cannot be attached, in Chinese, or null when it can. */
export function refusalOf(kind: FileKind, bytes: number): string | null {
  if (kind === null) return '只能附照片（JPEG、PNG、WebP、HEIC）或 PDF 文件。';
  if (kind === 'pdf' && bytes > PDF_MAX_BYTES) return `PDF 文件不能超过 ${sizeText(PDF_MAX_BYTES)}，请压缩或分开上传。`;
  return null;
}

/** What to do when this browser cannot open a HEIC photo (most browsers other than Safari). */
export const HEIC_HELP =
  '这个浏览器打不开 HEIC 格式的照片。请在手机相机设置里选择“兼容性最佳”（拍成 JPEG），或在相册里把照片分享/存储为 JPEG 后再选择；也可以直接截屏后上传截图。';
