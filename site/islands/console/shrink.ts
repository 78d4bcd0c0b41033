/**
 * A picked file made ready to wait and travel: a photo is decoded with its EXIF orientation
 * applied (createImageBitmap, imageOrientation 'from-image'), drawn on a canvas and re-encoded as
 * JPEG at the sizes and qualities evidence-plan.ts plans until it fits — which drops every EXIF
 * field, GPS included, since a canvas carries pixels only — plus a thumbnail. A PDF is kept as it
 * is. Loaded when a person picks a file, not with the screen.
 */
import { HEIC_HELP, PHOTO, refusalOf, shrinkSteps, sniff, THUMB, thumbSteps, type ShrinkStep } from './evidence-plan.ts';

/** A file ready for the outbox. */
export interface Prepared {
  kind: 'photo' | 'pdf';
  main: Blob;
  thumb: Blob | null;
  width: number | null;
  height: number | null;
  /** The picked file's size, to show what shrinking saved. */
  original: number;
}

/** A file that cannot be attached, with the message to show. */
export class Unattachable extends Error {}

type Canvas = OffscreenCanvas | HTMLCanvasElement;

function canvas(w: number, h: number): Canvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

async function encode(bitmap: ImageBitmap, s: ShrinkStep): Promise<Blob> {
  const c = canvas(s.width, s.height);
  const g = c.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!g) throw new Unattachable('这个浏览器无法处理照片，请换用手机自带浏览器或微信内打开。');
  // A transparent PNG would turn black as JPEG: paint white first.
  g.fillStyle = '#fff';
  g.fillRect(0, 0, s.width, s.height);
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, 0, 0, s.width, s.height);
  if ('convertToBlob' in c) return c.convertToBlob({ type: 'image/jpeg', quality: s.quality });
  return new Promise((resolve, reject) => (c as HTMLCanvasElement).toBlob((b) => (b ? resolve(b) : reject(new Unattachable('照片处理失败，请重试。'))), 'image/jpeg', s.quality));
}

/** The first encoding in `steps` at most `max` bytes, with the step that made it. */
async function firstFitting(bitmap: ImageBitmap, steps: ShrinkStep[], max: number): Promise<{ blob: Blob; step: ShrinkStep }> {
  let last: Blob | null = null;
  for (const step of steps) {
    last = await encode(bitmap, step);
    if (last.size <= max) return { blob: last, step };
  }
  throw new Unattachable(`照片压缩后仍超过 ${Math.round(max / 1024)} KB（${Math.round((last?.size ?? 0) / 1024)} KB），请换一张或截屏后上传。`);
}

/** Shrinks a photo, or takes a PDF; throws Unattachable with a message for anything else. */
export async function prepare(file: Blob): Promise<Prepared> {
  const kind = sniff(new Uint8Array(await file.slice(0, 16).arrayBuffer()));
  const refused = refusalOf(kind, file.size);
  if (refused) throw new Unattachable(refused);
  if (kind === 'pdf') return { kind: 'pdf', main: new Blob([file], { type: 'application/pdf' }), thumb: null, width: null, height: null, original: file.size };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    throw new Unattachable(kind === 'heic' ? HEIC_HELP : '这张照片打不开（文件可能已损坏），请换一张。');
  }
  try {
    const main = await firstFitting(bitmap, shrinkSteps(bitmap.width, bitmap.height, PHOTO), PHOTO.maxBytes);
    const thumb = await firstFitting(bitmap, thumbSteps(bitmap.width, bitmap.height), THUMB.maxBytes);
    return { kind: 'photo', main: main.blob, thumb: thumb.blob, width: main.step.width, height: main.step.height, original: file.size };
  } finally {
    bitmap.close();
  }
}
