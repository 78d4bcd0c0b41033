/**
 * The console's evidence rules (site/islands/console/evidence-plan.ts): what a picked file is by
 * its bytes, how far a photo is shrunk, and what the form refuses before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { attachmentProblems, CAPTION_MAX, EVIDENCE_REQUIRED, fitWithin, MAX_FILES, PDF_MAX_BYTES, PHOTO, refusalOf, shrinkSteps, sizeText, sniff, THUMB, thumbSteps } from '../../site/islands/console/evidence-plan.ts';
import { FILE_LIMITS, sizeText as workerSizeText } from '../../worker/domain/files.ts';
import { evidenceRefusal } from '../../worker/domain/update.ts';

const bytes = (...parts: (number[] | string)[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('the console and the Worker agree', () => {
  it('on the limits, the sizes as written and the words of the evidence rule', () => {
    expect({ MAX_FILES, PDF_MAX_BYTES, CAPTION_MAX }).toEqual({ MAX_FILES: FILE_LIMITS.perOwner, PDF_MAX_BYTES: FILE_LIMITS.pdfBytes, CAPTION_MAX: FILE_LIMITS.caption });
    // What the console sends is well within what the Worker takes for an image.
    expect(PHOTO.maxBytes).toBeLessThan(FILE_LIMITS.imageBytes);
    for (const n of [12, 30 * 1024, 299 * 1024, 4_200_000]) expect(sizeText(n)).toBe(workerSizeText(n));
    expect(evidenceRefusal({ evidence_required: 1 }, { status: 'completed', attachments: [] })!.message).toContain(EVIDENCE_REQUIRED);
  });
});

describe('what a picked file is, by its bytes', () => {
  it('knows JPEG, PNG, WebP, PDF and HEIC by their first bytes', () => {
    expect(sniff(bytes([0xff, 0xd8, 0xff, 0xe1]))).toBe('jpeg');
    expect(sniff(bytes([0x89], 'PNG\r\n\x1a\n'))).toBe('png');
    expect(sniff(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniff(bytes('%PDF-1.7\n'))).toBe('pdf');
    expect(sniff(bytes([0, 0, 0, 0x18], 'ftypheic'))).toBe('heic');
    expect(sniff(bytes([0, 0, 0, 0x18], 'ftypmif1'))).toBe('heic');
  });

  it('takes nothing else, whatever its name says: SVG, HTML, a Word file, an MP4', () => {
    expect(sniff(bytes('<svg xmlns="http://www.w3.org/2000/svg">'))).toBeNull();
    expect(sniff(bytes('<!doctype html><p>'))).toBeNull();
    expect(sniff(bytes([0x50, 0x4b, 0x03, 0x04]))).toBeNull();
    expect(sniff(bytes([0, 0, 0, 0x18], 'ftypisom'))).toBeNull();
    expect(refusalOf(null, 10)).toContain('只能附照片');
  });

  it('refuses a PDF over 10 MB with the limit in the message, and takes one under it', () => {
    expect(refusalOf('pdf', 11 * 1024 * 1024)).toContain('10.0 MB');
    expect(refusalOf('pdf', 9 * 1024 * 1024)).toBeNull();
    expect(refusalOf('jpeg', 40 * 1024 * 1024)).toBeNull(); // a photo is shrunk, whatever its size
  });
});

describe('how far a photo is shrunk', () => {
  it('fits the longest side within the limit, keeping the shape, and never enlarges', () => {
    expect(fitWithin(4032, 3024, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3024, 4032, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(10000, 10, 320)).toEqual({ width: 320, height: 1 });
  });

  it('tries the full 1600 px first at falling quality, then smaller sizes, never above 1600 px', () => {
    const steps = shrinkSteps(4032, 3024);
    expect(steps[0]).toEqual({ width: 1600, height: 1200, quality: 0.72 });
    expect(steps.every((s) => Math.max(s.width, s.height) <= PHOTO.maxSide)).toBe(true);
    // Each try is no bigger than the one before: same size at lower quality, or a smaller size.
    for (let i = 1; i < steps.length; i++) {
      const [a, b] = [steps[i - 1]!, steps[i]!];
      expect(b.width < a.width || (b.width === a.width && b.quality < a.quality)).toBe(true);
    }
    // It stops at a quarter of the longest side: a photo is never made a stamp.
    expect(Math.max(steps.at(-1)!.width, steps.at(-1)!.height)).toBeGreaterThanOrEqual(400);
  });

  it('keeps a small photo at its own size and only lowers the quality at first', () => {
    const steps = shrinkSteps(1000, 750);
    expect(steps.slice(0, 4).map((s) => [s.width, s.height])).toEqual(Array(4).fill([1000, 750]));
  });

  it('makes the thumbnail at most 320 px on its longest side', () => {
    const steps = thumbSteps(4032, 3024);
    expect(steps[0]).toMatchObject({ width: 320, height: 240 });
    expect(steps.every((s) => Math.max(s.width, s.height) <= THUMB.maxSide)).toBe(true);
  });
});

describe('what the form refuses before sending', () => {
  it('needs a caption for every file, named by the path the API uses', () => {
    expect(attachmentProblems([{ caption: '日间照料中心外景' }, { caption: '  ' }])).toEqual({ 'attachments.1.caption': '请写一句说明（这张照片或文件是什么）' });
    expect(attachmentProblems([{ caption: '字'.repeat(201) }])['attachments.0.caption']).toContain('200');
  });

  it(`takes at most ${MAX_FILES} files`, () => {
    expect(attachmentProblems(Array(MAX_FILES + 1).fill({ caption: '照片' })).attachments).toBe(`最多附 ${MAX_FILES} 个文件`);
    expect(attachmentProblems(Array(MAX_FILES).fill({ caption: '照片' }))).toEqual({});
  });

  it('refuses 已完成 without files on a task that requires evidence, in the API’s words, and nothing else', () => {
    expect(attachmentProblems([], { status: 'completed', evidenceRequired: true })).toEqual({ attachments: EVIDENCE_REQUIRED });
    expect(attachmentProblems([], { status: 'in_progress', evidenceRequired: true })).toEqual({});
    expect(attachmentProblems([], { status: 'completed', evidenceRequired: false })).toEqual({});
    expect(attachmentProblems([{ caption: '验收照片' }], { status: 'completed', evidenceRequired: true })).toEqual({});
  });

  it('writes sizes as a person reads them', () => {
    expect(sizeText(4_200_000)).toBe('4.0 MB');
    expect(sizeText(250 * 1024)).toBe('250 KB');
    expect(sizeText(12)).toBe('1 KB');
  });
});
