/**
 * Evidence files (佐证材料): what a file is, decided by its bytes; its dimensions; image metadata
 * removed; the limits; and the attachment payload. Pure: no D1, no R2 (docs/evidence.md).
 */
import { z } from 'zod';

const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });

/** The types the product stores and serves; nothing else ever (no SVG, HTML, HEIC). */
export const FileType = z.enum(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
export type FileType = z.infer<typeof FileType>;

/** File name extension of each type, as the public URLs carry it. */
export const EXTENSION: Record<FileType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' };
export const TYPE_OF_EXTENSION: Record<string, FileType> = Object.fromEntries(Object.entries(EXTENSION).map(([t, e]) => [e, t as FileType]));

export const FILE_LIMITS = {
  /** Attachments on one update or inspection. */
  perOwner: 5,
  /** One image (the console sends ≤ 300 KB; other clients may send a camera's original). */
  imageBytes: 2 * 1024 * 1024,
  /** One PDF. */
  pdfBytes: 10 * 1024 * 1024,
  /** The longest side of an image. */
  imageSide: 12_000,
  /** All of one town's files. */
  townBytes: 2 * 1024 * 1024 * 1024,
  /** A caption, in characters. */
  caption: 200,
} as const;

/** The largest body the upload route reads at all. */
export const UPLOAD_MAX_BYTES = Math.max(FILE_LIMITS.imageBytes, FILE_LIMITS.pdfBytes);

/** Why a file is refused (the route turns it into an HTTP answer). */
export class FileRefusal extends Error {
  readonly status: 413 | 415 | 422;
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  constructor(status: 413 | 415 | 422, code: string, zhText: string, en: string) {
    super(en);
    this.status = status;
    this.code = code;
    this.zh = zhText;
    this.en = en;
  }
}

const unsupported = (zhText: string, en: string) => new FileRefusal(415, 'unsupported_type', zhText, en);
const ONLY = '只能上传照片（JPEG、PNG、WebP）或 PDF 文件。';
const ONLY_EN = 'Only photos (JPEG, PNG, WebP) and PDF files are accepted.';

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;

/** A file as the product keeps it: the bytes to store (image metadata removed), type and size. */
export interface CheckedFile {
  bytes: Uint8Array;
  type: FileType;
  width: number | null;
  height: number | null;
}

/** The type of these bytes by their signature, or null. */
export function sniff(b: Uint8Array): FileType | 'heic' | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'image/webp';
  if (b.length >= 5 && ascii(b, 0, 5) === '%PDF-') return 'application/pdf';
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp' && /^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif)$/.test(ascii(b, 8, 4))) return 'heic';
  return null;
}

/**
 * Checks an uploaded file and returns what to store: refuses anything but JPEG, PNG, WebP and PDF
 * (by the bytes), files over the limits, images whose size cannot be read; removes image metadata
 * (EXIF with GPS, XMP, IPTC, text chunks, comments).
 */
export function checkFile(b: Uint8Array): CheckedFile {
  if (b.length === 0) throw new FileRefusal(422, 'file_empty', '上传的文件是空的。', 'The uploaded file is empty.');
  const type = sniff(b);
  if (type === 'heic') {
    throw unsupported(
      '这是 HEIC 格式的照片，无法直接上传。请在控制台里选择这张照片（浏览器会自动转换），或在手机相机设置中选择“兼容性最佳”后重新拍摄。',
      'This is a HEIC photo, which is not accepted as it is: attach it through the console (the browser converts it) or set the camera to "Most Compatible".',
    );
  }
  if (!type) throw unsupported(ONLY, ONLY_EN);
  const limit = type === 'application/pdf' ? FILE_LIMITS.pdfBytes : FILE_LIMITS.imageBytes;
  if (b.length > limit) {
    throw new FileRefusal(413, 'file_too_large', `${type === 'application/pdf' ? 'PDF 文件' : '照片'}不能超过 ${limit / 1024 / 1024} MB。`, `A ${type === 'application/pdf' ? 'PDF' : 'photo'} must be at most ${limit} bytes.`);
  }
  if (type === 'application/pdf') return { bytes: b, type, width: null, height: null };
  const bad = () => unsupported('无法读取这张照片（文件可能已损坏），请重新拍摄或换一张。', 'The image cannot be read (the file may be damaged).');
  let out: { bytes: Uint8Array; width: number; height: number } | null;
  try {
    out = type === 'image/jpeg' ? jpeg(b) : type === 'image/png' ? png(b) : webp(b);
  } catch {
    out = null;
  }
  if (!out || out.width <= 0 || out.height <= 0) throw bad();
  if (out.width > FILE_LIMITS.imageSide || out.height > FILE_LIMITS.imageSide) {
    throw new FileRefusal(413, 'image_too_large', `照片的边长不能超过 ${FILE_LIMITS.imageSide} 像素。`, `An image side must be at most ${FILE_LIMITS.imageSide} pixels.`);
  }
  return { bytes: out.bytes, type, width: out.width, height: out.height };
}

/** Concatenates byte ranges. */
function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/**
 * JPEG: walks the marker segments up to the scan. Keeps APP0 (JFIF), APP2 ICC_PROFILE and APP14
 * (Adobe: colour transform) and every non-APP segment; drops the other APPn (APP1 Exif/XMP with GPS,
 * APP13 IPTC …) and comments. The size is the frame header's (SOFn).
 */
function jpeg(b: Uint8Array) {
  const keep: Uint8Array[] = [b.subarray(0, 2)];
  let at = 2;
  let width = 0;
  let height = 0;
  for (;;) {
    if (at + 4 > b.length) return null;
    if (b[at] !== 0xff) return null;
    const m = b[at + 1]!;
    if (m === 0xff) {
      at++; // fill byte
      continue;
    }
    if (m === 0xd9) return null; // end before any scan
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      keep.push(b.subarray(at, at + 2));
      at += 2;
      continue;
    }
    const len = u16be(b, at + 2);
    if (len < 2 || at + 2 + len > b.length) return null;
    const seg = b.subarray(at, at + 2 + len);
    if ((m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) && len >= 7) {
      height = u16be(b, at + 5);
      width = u16be(b, at + 7);
    }
    const isApp = m >= 0xe0 && m <= 0xef;
    const keepApp = m === 0xe0 || m === 0xee || (m === 0xe2 && len >= 14 && ascii(b, at + 4, 12) === 'ICC_PROFILE\0');
    if ((!isApp || keepApp) && m !== 0xfe) keep.push(seg);
    at += 2 + len;
    if (m === 0xda) {
      // Start of scan: the entropy-coded data and everything after it are kept as they are.
      keep.push(b.subarray(at));
      break;
    }
  }
  if (!width || !height) return null;
  return { bytes: join(keep), width, height };
}

const PNG_DROP = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);
/** PNG: IHDR gives the size; text, EXIF and time chunks are dropped. */
function png(b: Uint8Array) {
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR') return null;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const keep: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  let ended = false;
  while (at + 12 <= b.length) {
    const len = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    const end = at + 12 + len;
    if (end > b.length) return null;
    if (!PNG_DROP.has(type)) keep.push(b.subarray(at, end));
    at = end;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) return null;
  return { bytes: join(keep), width, height };
}

/** WebP: the size from VP8X, VP8 or VP8L; EXIF and XMP chunks dropped (and their VP8X flags cleared). */
function webp(b: Uint8Array) {
  const chunks: Uint8Array[] = [];
  let at = 12;
  let width = 0;
  let height = 0;
  const end = Math.min(b.length, 8 + u32le(b, 4));
  while (at + 8 <= end) {
    const id = ascii(b, at, 4);
    const len = u32le(b, at + 4);
    const next = at + 8 + len + (len & 1);
    if (at + 8 + len > end) return null;
    const d = at + 8;
    if (id === 'VP8X' && len >= 10) {
      width = u24le(b, d + 4) + 1;
      height = u24le(b, d + 7) + 1;
      const copy = b.slice(at, Math.min(next, end));
      copy[8] = copy[8]! & ~(0x08 | 0x04); // EXIF and XMP flags
      chunks.push(copy);
    } else {
      if (id === 'VP8 ' && !width && len >= 10 && b[d + 3] === 0x9d && b[d + 4] === 0x01 && b[d + 5] === 0x2a) {
        width = u16le(b, d + 6) & 0x3fff;
        height = u16le(b, d + 8) & 0x3fff;
      } else if (id === 'VP8L' && !width && len >= 5 && b[d] === 0x2f) {
        const bits = u32le(b, d + 1);
        width = (bits & 0x3fff) + 1;
        height = ((bits >>> 14) & 0x3fff) + 1;
      }
      if (id !== 'EXIF' && id !== 'XMP ') chunks.push(b.subarray(at, Math.min(next, end)));
    }
    at = next;
  }
  const body = join(chunks);
  const head = new Uint8Array(12);
  head.set(b.subarray(0, 4));
  const size = body.length + 4;
  head.set([size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff], 4);
  head.set(b.subarray(8, 12), 8);
  return { bytes: join([head, body]), width, height };
}

/** Lower-case hex SHA-256 of bytes. */
export async function sha256Hex(b: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>))].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/** A stored file's name in R2. */
export const objectKey = (sha256: string): string => `sha256/${sha256}`;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, zh('文件编号应为 64 位十六进制（上传文件时返回的 file）', 'file must be the 64-hex sha256 the upload returned'));

/** One attachment of an update or an inspection, as a client sends it. */
export const AttachmentInput = z.strictObject({
  /** The sha256 the upload answered with (a file of the same town). */
  file: Sha256,
  /** What it shows; it becomes the alt text. */
  caption: z
    .string(zh('请说明这张照片或文件是什么', 'describe what the file shows'))
    .trim()
    .min(1, zh('请说明这张照片或文件是什么（将作为图片说明）', 'describe what the file shows (it becomes the alt text)'))
    .max(FILE_LIMITS.caption, zh(`说明不能超过${FILE_LIMITS.caption}字`, `caption is at most ${FILE_LIMITS.caption} characters`)),
  /** A smaller image of the same photo (≤ 320 px a side) for lists. */
  thumb: Sha256.optional(),
});
export type AttachmentInput = z.infer<typeof AttachmentInput>;

export const AttachmentList = z
  .array(AttachmentInput)
  .max(FILE_LIMITS.perOwner, zh(`最多附${FILE_LIMITS.perOwner}个文件`, `at most ${FILE_LIMITS.perOwner} files`))
  .refine((a) => new Set(a.map((x) => x.file)).size === a.length, zh('同一个文件不能附两次', 'the same file is attached twice'))
  .default([]);

export const Visibility = z.enum(['internal', 'public'], zh('应为 public（公开）或 internal（仅内部）', 'must be public or internal'));
export type Visibility = z.infer<typeof Visibility>;

/** An attachment as the API returns it. */
export const AttachmentView = z.object({
  id: z.string(),
  file: z.string(),
  thumb: z.string().nullable(),
  type: FileType,
  bytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  caption: z.string(),
  visibility: Visibility,
});
export type AttachmentView = z.infer<typeof AttachmentView>;

/** The public URL of a public file. */
export const publicFileUrl = (town: string, sha256: string, type: FileType): string => `/towns/${town}/files/${sha256}.${EXTENSION[type]}`;

/** The public page of one public attachment: the file at full size with its caption, date and unit. */
export const evidencePagePath = (town: string, attachment: string): string => `/towns/${town}/evidence/${attachment}/`;

/** "1.2 MB", "320 KB": a size as a reader reads it. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
