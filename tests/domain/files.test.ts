/**
 * What a file is, by its bytes, and what is kept of it (issue 27): JPEG, PNG, WebP and PDF only;
 * camera metadata (EXIF with a GPS position, comments, text chunks) removed; the picture and its
 * size untouched.
 */
import { describe, expect, it } from 'vitest';
import { checkFile, FileRefusal, FILE_LIMITS } from '../../worker/domain/files.ts';
import { contains, EXIF_MARK, JPEG_64x48, jpegWithGps, PDF, PNG_40x30, pngWithText, WEBP_50x20, webpWithExif } from '../fixtures/evidence-images.ts';

const refusal = (b: Uint8Array): FileRefusal => {
  try {
    checkFile(b);
  } catch (e) {
    if (e instanceof FileRefusal) return e;
    throw e;
  }
  throw new Error('accepted');
};

describe('a photo from a phone', () => {
  it('a JPEG with an EXIF GPS position and a comment keeps its picture and loses the rest', () => {
    const raw = jpegWithGps();
    expect(contains(raw, 'Exif')).toBe(true);
    expect(contains(raw, EXIF_MARK)).toBe(true);
    const f = checkFile(raw);
    expect(f).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
    expect(contains(f.bytes, 'Exif')).toBe(false);
    expect(contains(f.bytes, EXIF_MARK)).toBe(false);
    // What is left is the camera-free original, byte for byte (its colour profile kept).
    expect([...f.bytes]).toEqual([...JPEG_64x48()]);
    expect(contains(f.bytes, 'ICC_PROFILE')).toBe(contains(JPEG_64x48(), 'ICC_PROFILE'));
  });

  it('a PNG loses its text chunks, a WebP its EXIF chunk and flag', () => {
    const p = checkFile(pngWithText());
    expect(p).toMatchObject({ type: 'image/png', width: 40, height: 30 });
    expect(contains(p.bytes, EXIF_MARK)).toBe(false);
    expect([...p.bytes]).toEqual([...PNG_40x30()]);
    const raw = webpWithExif();
    expect(contains(raw, EXIF_MARK)).toBe(true);
    const w = checkFile(raw);
    expect(w).toMatchObject({ type: 'image/webp', width: 50, height: 20 });
    expect(contains(w.bytes, EXIF_MARK)).toBe(false);
    expect(w.bytes[20] & 0x08).toBe(0); // VP8X's EXIF flag cleared
    // The RIFF size still counts what follows it.
    expect(new DataView(w.bytes.buffer, w.bytes.byteOffset).getUint32(4, true)).toBe(w.bytes.length - 8);
    expect(checkFile(WEBP_50x20())).toMatchObject({ width: 50, height: 20 });
  });

  it('a clean file is kept as it is; a PDF has no size in pixels', () => {
    expect([...checkFile(JPEG_64x48()).bytes]).toEqual([...JPEG_64x48()]);
    expect(checkFile(PDF())).toMatchObject({ type: 'application/pdf', width: null, height: null });
  });
});

describe('what is refused', () => {
  it('anything but JPEG, PNG, WebP and PDF, whatever its name would say: SVG, HTML, HEIC, text', () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const html = new TextEncoder().encode('<!doctype html><script>alert(1)</script>');
    const heic = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0]);
    for (const b of [svg, html, new TextEncoder().encode('plain text')]) expect(refusal(b)).toMatchObject({ status: 415, code: 'unsupported_type' });
    const h = refusal(heic);
    expect(h).toMatchObject({ status: 415, code: 'unsupported_type' });
    expect(h.zh).toContain('HEIC');
    expect(refusal(new Uint8Array())).toMatchObject({ status: 422, code: 'file_empty' });
  });

  it('a truncated image, and one over the limits', () => {
    expect(refusal(JPEG_64x48().subarray(0, 40))).toMatchObject({ status: 415 });
    const big = new Uint8Array(FILE_LIMITS.imageBytes + 1);
    big.set(JPEG_64x48());
    expect(refusal(big)).toMatchObject({ status: 413, code: 'file_too_large' });
    // A PNG header claiming 20,000 px wide.
    const png = PNG_40x30().slice();
    new DataView(png.buffer).setUint32(16, 20_000);
    expect(refusal(png)).toMatchObject({ status: 413, code: 'image_too_large' });
  });
});
