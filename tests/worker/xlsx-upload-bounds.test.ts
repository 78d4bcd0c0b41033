/**
 * The task import through the real Worker with XLSX files built to hold the CPU or to carry text
 * that is not Unicode: a few tens of KB that unpack to 23 MB without closing tags are answered
 * with 4xx at once; a lone surrogate is refused naming its cell.
 */
import { describe, expect, it } from 'vitest';
import { loadContent } from './helpers.ts';
import { api, signIn } from './auth-helpers.ts';
import { deflatedZip, workbookFiles } from '../fixtures/zip.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = (token: string, file: Uint8Array) =>
  api('POST', '/api/v1/towns/fengmao/tasks/import?dry_run=1', { token, raw: file, headers: { 'Content-Type': XLSX } });

describe('uploading a hostile XLSX', () => {
  it('23 MB unpacked without closing tags, in several shapes: each answered 4xx within a few seconds', async () => {
    await loadContent();
    const office = await signIn('office');
    const size = 23 * 1024 * 1024;
    for (const [name, unit] of [['rows', '<row>'], ['cells', '<c t="inlineStr"><is><t>x'], ['values', '<c><v>1']] as const) {
      const file = await deflatedZip(workbookFiles('<worksheet><sheetData><row r="1">' + unit.repeat(Math.floor(size / unit.length))));
      const t0 = Date.now();
      const r = await upload(office, file);
      const ms = Date.now() - t0;
      console.log(`${name}: ${file.length} bytes → ${r.status} ${r.body?.error?.code} in ${ms} ms`);
      expect(r.status, name).toBeGreaterThanOrEqual(400);
      expect(r.status, name).toBeLessThan(500);
      // Wall time on a shared 2-core machine: the old reader took minutes on these.
      expect(ms, name).toBeLessThan(10_000);
    }
  }, 120_000);

  it('a lone surrogate (&#xD800;) in a cell is 422 naming the cell', async () => {
    await loadContent();
    const office = await signIn('office');
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c></row><row r="2"><c r="D2" t="inlineStr"><is><t>体检&#xD800;</t></is></c></row></sheetData></worksheet>`;
    const r = await upload(office, await deflatedZip(workbookFiles(sheet)));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('text_not_unicode');
    expect(r.body.error.message).toContain('D2');
  });
});
