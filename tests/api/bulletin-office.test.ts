/**
 * A town bulletin's and a region bulletin's XLSX as a clerk opens them: LibreOffice (the office suite
 * a township or county clerk may use) reads each workbook and saves it as CSV, and what it shows is
 * the bulletin's own CSV export, cell for cell — numbers as numbers, shares as percentages, days as
 * dates. Not by reading the files back with exceljs, which wrote them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from './office-harness.ts';
import { libreoffice } from '../fixtures/libreoffice.ts';
import { parseCsv, unNeutralise } from '../../worker/domain/csv.ts';
import { addDays, cstDate } from '../../worker/domain/supervision.ts';

/** LibreOffice's CSV export: comma, double quote, UTF-8, from line 1. */
const TO_CSV = 'csv:Text - txt - csv (StarCalc):44,34,76,1';

type App = Awaited<ReturnType<typeof startApp>>;
let app: App;
let admin: string;
let supervisor: string;
let n = 0;

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await app.request(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': `office-${++n}-${crypto.randomUUID()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
};

/** Rows without their trailing empty cells (a spreadsheet's CSV pads rows to the widest). */
const trim = (rows: string[][]) => rows.map((r) => {
  const out = [...r];
  while (out.length && out.at(-1) === '') out.pop();
  return out;
});

/** Whether LibreOffice's cell shows what the export's CSV cell says: the same text, or the same percentage however many decimals. */
const same = (shown: string, csv: string) => shown === csv || (/%$/.test(shown) && /%$/.test(csv) && Math.abs(parseFloat(shown) - parseFloat(csv)) <= 0.05);

beforeAll(async () => {
  app = await startApp();
  admin = await app.signIn('admin');
  supervisor = await app.signIn('supervisor');
}, 300_000);
afterAll(async () => {
  await app?.close();
});

describe('bulletin workbooks opened in LibreOffice', () => {
  it("show the same cells as the bulletin's CSV, for a town bulletin and a region bulletin", async () => {
    const today = cstDate(Date.now());
    const town = await (await call('POST', '/api/v1/towns/fengmao/bulletins', supervisor, { period_from: addDays(today, -30), period_to: today })).json() as { id: string };
    await call('POST', `/api/v1/bulletins/${town.id}/issue`, supervisor);
    const region = await (await call('POST', '/api/v1/regions/shanting/bulletins', admin, { remarks: '请各镇对照排名抓紧推进。' })).json() as { id: string };
    const issued = await (await call('POST', `/api/v1/region-bulletins/${region.id}/issue`, admin)).json() as { number: string };

    const files: Record<string, { csv: string[][]; xlsx: Uint8Array }> = {};
    for (const [name, base] of [['town', `/api/v1/bulletins/${town.id}`], ['region', `/api/v1/region-bulletins/${region.id}`]] as const) {
      const csv = parseCsv(new TextDecoder().decode(await (await call('GET', `${base}/export.csv`, admin)).arrayBuffer()).replace(/^\uFEFF/, ''));
      const xlsx = new Uint8Array(await (await call('GET', `${base}/export.xlsx`, admin)).arrayBuffer());
      files[name] = { csv: trim(csv.map((r) => r.map(unNeutralise))), xlsx };
    }
    const shown = libreoffice({ 'town.xlsx': files.town!.xlsx, 'region.xlsx': files.region!.xlsx }, TO_CSV);

    for (const name of ['town', 'region']) {
      const lo = trim(parseCsv(new TextDecoder().decode(shown[`${name}.xlsx`]!).replace(/^\uFEFF/, '')));
      const csv = files[name]!.csv;
      expect(lo.length, `${name}: rows`).toBe(csv.length);
      const differ = csv.flatMap((r, i) => (r.length === lo[i]!.length && r.every((c, j) => same(lo[i]![j]!, c)) ? [] : [`${i + 1}: ${JSON.stringify(lo[i])} ≠ ${JSON.stringify(r)}`]));
      expect(differ, `${name}: rows that LibreOffice shows otherwise`).toEqual([]);
    }
    // What the county's clerk looks for.
    const region_ = files.region!.csv;
    expect(region_).toContainEqual(['文号', issued.number]);
    expect(region_.find((r) => r[1] === '冯卯镇')).toBeTruthy();
  }, 300_000);
});
