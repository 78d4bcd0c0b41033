/**
 * Reading an uploaded XLSX is bounded in time: every part is read in one pass (no search that runs
 * to the end of the file again for each tag), so files built to make a regular-expression reader
 * quadratic — 24 MB unpacked with no closing tags — cost well under a second of CPU. And text
 * that is not Unicode (a lone surrogate written as &#xD800; or _xD800_) is refused naming the cell.
 */
import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS } from '../../worker/domain/task-table.ts';
import { XlsxError, readXlsxSheets } from '../../worker/domain/xlsx-read.ts';
import { deflatedZip, workbookFiles } from '../fixtures/zip.ts';

const OPTS = { maxRows: 2_100, maxCols: 50, maxBytes: IMPORT_LIMITS.unzippedBytes };
const SIZE = 23 * 1024 * 1024;
let size = SIZE;
const fill = (unit: string, prefix = '', suffix = '') => prefix + unit.repeat(Math.floor((size - prefix.length - suffix.length) / unit.length)) + suffix;

/** CPU milliseconds (user + system) spent reading the file, and what it answered. */
async function timed(file: Uint8Array): Promise<{ ms: number; outcome: string }> {
  const t0 = process.cpuUsage();
  let outcome: string;
  try {
    const sheets = await readXlsxSheets(file, OPTS);
    outcome = `read ${sheets.length} sheet(s)`;
  } catch (e) {
    if (!(e instanceof XlsxError)) throw e;
    outcome = `XlsxError ${e.status}: ${e.message}`;
  }
  const d = process.cpuUsage(t0);
  return { ms: (d.user + d.system) / 1000, outcome };
}

/** The hostile parts, built at the current `size`. */
const hostile = (): Record<string, Record<string, string>> => ({
  'rows never closed': workbookFiles(fill('<row>')),
  'cells never closed in one row': workbookFiles(fill('<c t="inlineStr"><is><t>x', '<worksheet><sheetData><row r="1">')),
  'values never closed': workbookFiles(fill('<c><v>1', '<worksheet><sheetData><row r="1">')),
  'shared strings never closed': workbookFiles('<worksheet/>', { shared: fill('<si><t>x') }),
  'one tag never closed': workbookFiles(fill('a', '<worksheet><sheetData><row r="1" x="')),
  'phonetic runs never closed': workbookFiles('<worksheet/>', { shared: fill('<si><rPh><t>x') }),
});
const HOSTILE = hostile();
size = SIZE / 4;
const QUARTER = hostile();
size = SIZE;

describe('hostile XLSX files are read in time proportional to their size', () => {
  for (const [name, files] of Object.entries(HOSTILE)) {
    // A ratio against a quarter-size file of the same shape, measured in the same run: linear reading
    // costs ~4× (quadratic ~16×) whatever else the machine is doing; the absolute figure is printed.
    it(`${name}: 23 MB unpacked, in CPU time linear in its size`, async () => {
      const file = await deflatedZip(files);
      expect(file.length).toBeLessThan(IMPORT_LIMITS.bytes);
      const quarter = await timed(await deflatedZip(QUARTER[name]!));
      const { ms, outcome } = await timed(file);
      console.log(`${name}: ${file.length} bytes packed, ${(ms / 1000).toFixed(3)} s CPU → ${outcome}; a quarter of it ${(quarter.ms / 1000).toFixed(3)} s`);
      // Below ~100 ms the quarter's figure is mostly noise (timer ticks, a GC): it is floored there.
      expect(ms / Math.max(quarter.ms, 100), outcome).toBeLessThan(8);
      expect(ms, outcome).toBeLessThan(5_000);
    }, 60_000);
  }

  it('a sheet named by 200 <sheet> entries is unpacked once, not 200 times', async () => {
    const file = await deflatedZip(workbookFiles(`<worksheet><sheetData>${'<row><c t="inlineStr"><is><t>任务</t></is></c></row>'.repeat(2_000)}</sheetData></worksheet>`, { sheets: 200 }));
    const { ms, outcome } = await timed(file);
    expect(outcome).toBe('read 200 sheet(s)');
    // Unpacked 200 times it costs seconds; once, a few tens of milliseconds.
    expect(ms).toBeLessThan(2_000);
  });
});

describe('text that is not Unicode', () => {
  for (const [how, text] of [
    ['a character reference', '前&#xD800;后'],
    ['an OOXML escape', '前_xD800_后'],
    ['a low surrogate alone', '&#56320;'],
  ] as const) {
    it(`${how} to a lone surrogate is refused naming the sheet and cell`, async () => {
      const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c></row><row r="3"><c r="B3" t="inlineStr"><is><t>${text}</t></is></c></row></sheetData></worksheet>`;
      const err = await readXlsxSheets(await deflatedZip(workbookFiles(sheet)), OPTS).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XlsxError);
      expect((err as XlsxError).status).toBe(422);
      expect((err as XlsxError).message).toContain('表1!B3');
    });
  }

  it('a pair of surrogates (a character beyond the BMP) is read as that character, from a shared string too', async () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>&#x20000;</t></is></c></row></sheetData></worksheet>`;
    const [s] = await readXlsxSheets(await deflatedZip(workbookFiles(sheet, { shared: '<sst><si><t>_xD840__xDC00_</t></si></sst>' })), OPTS);
    expect(s!.rows).toEqual([['𠀀', '𠀀']]);
  });
});
