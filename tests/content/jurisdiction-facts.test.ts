/**
 * Seed facts of the four jurisdiction reply documents (content/jurisdictions/*.yaml),
 * checked against the parsed content and against the source texts.
 *
 * The FACTS table below was transcribed from the seed files (copies in tests/fixtures/seeds/);
 * a wrong value, unit, date or indicator mapping in content/ makes a row fail. Every figure in
 * content/jurisdictions/ must have a row here, and every row must be in content/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readContent, CONTENT_DIR } from '../../worker/content/read.ts';
import type { ContentBundle, Jurisdiction, ReportedFigure } from '../../worker/domain/content.ts';

type Qualifier = ReportedFigure['qualifier'];
/** id, text, value (base units), unit, qualifier, as_of, catalogue indicator (null: none) */
type FigureRow = [id: string, text: string, value: number, unit: string, qualifier: Qualifier, as_of: string | undefined, indicator: string | null];

interface JurisdictionFacts {
  /** province: [value, basis]; only 滕州's reply names its province (我市是山东省人口最多的县（市、区）). */
  jurisdiction: Pick<Jurisdiction, 'id' | 'name' | 'name_en' | 'level'> & { province: [string, string] };
  report: {
    id: string;
    title: string;
    doc_number: string | undefined;
    issuer: string;
    date: string | undefined;
    addressee: string;
    source_file: string;
  };
  figures: FigureRow[];
}

const FACTS: JurisdictionFacts[] = [
  {
    jurisdiction: { id: 'tengzhou', name: '滕州市', name_en: 'Tengzhou', level: 'county_city', province: ['山东省', 'stated'] },
    report: {
      id: 'tengzhou-2019-proposal-153143',
      title: '关于对市政协第153143号提案的答复',
      doc_number: undefined,
      issuer: '滕州市提案承办单位（原文未具名）',
      date: '2019-05-28',
      addressee: '马洪伟委员',
      source_file: '000_df15cae860b997c0.txt',
    },
    figures: [
      // id, text, value, unit, qualifier, as_of, indicator
      ['total-population', '175.2万人', 1752000, '人', 'exact', '2019-12-31', null],
      ['aged-60-plus', '31.9万', 319000, '人', 'exact', '2019-12-31', null],
      ['aged-60-plus-share', '18.2%', 18.2, '%', 'exact', '2019-12-31', null],
      // '去年2月份' (2018-02 by the reply's date) is a time, not a figure: its text states no 2018 (issue 17).
      ['projects-in-use', '8个', 8, '个', 'exact', '2019-05-28', null],
      ['projects-under-construction', '4个', 4, '个', 'exact', '2019-05-28', null],
      ['hospital-partner-care-institutions', '3家', 3, '家', 'exact', '2019-05-28', null],
      ['demo-towns', '10个', 10, '个', 'exact', '2019-05-28', null],
      ['integrated-care-institutions', '18家', 18, '家', 'exact', '2019-05-28', 'integrated-care-institutions'],
      ['integrated-care-beds', '2200余张', 2200, '张', 'over', '2019-05-28', null],
      ['integrated-care-residents', '1100余人', 1100, '人', 'over', '2019-05-28', null],
      ['chronic-disease-elderly', '7.1万人', 71000, '人', 'exact', '2019-05-28', null],
      ['partially-disabled-elderly', '15682人', 15682, '人', 'exact', '2019-05-28', null],
      ['disabled-elderly', '4488人', 4488, '人', 'exact', '2019-05-28', null],
      ['dementia-elderly', '723人', 723, '人', 'exact', '2019-05-28', null],
      ['home-based-share', '96.4%', 96.4, '%', 'exact', '2019-05-28', null],
      ['institution-based-share', '3.6%', 3.6, '%', 'exact', '2019-05-28', null],
      ['family-doctor-teams', '152个', 152, '个', 'exact', '2019-05-28', 'family-doctor-teams'],
      ['elderly-signed', '15.05万人', 150500, '人', 'exact', '2019-05-28', null],
      ['elderly-signing-rate', '71.6%', 71.6, '%', 'exact', '2019-05-28', 'family-doctor-signing-elderly'],
      ['remote-centres', '六大', 6, '个', 'exact', '2019-05-28', null],
      ['green-channel', '所有医疗机构', 100, '%', 'exact', '2019-05-28', 'green-channel-medical-institutions'],
    ],
  },
  {
    jurisdiction: { id: 'yicheng', name: '峄城区', name_en: 'Yicheng District', level: 'district', province: ['山东省', 'external'] },
    report: {
      id: 'yicheng-2022-proposal-reply',
      title: '对《关于推进医养结合工作的建议》提案的答复',
      doc_number: undefined,
      issuer: '峄城区民政局',
      date: '2022-06-30',
      addressee: 'XXX委员',
      source_file: '001_654be07f511834df.txt',
    },
    figures: [
      // id, text, value, unit, qualifier, as_of, indicator
      ['taskforce-departments', '6部门', 6, '个', 'exact', '2022-06-30', null],
      ['nursing-institution-bed-subsidy', '1.3万元/张', 13000, '元/张', 'under', '2021-01-01', null],
      ['welfare-home-new-bed-subsidy', '1.3万元/张', 13000, '元/张', 'exact', '2022-06-30', null],
      ['welfare-home-renovation-bed-subsidy', '0.4万元/张', 4000, '元/张', 'exact', '2022-06-30', null],
      // 今年以来: a running total up to the reply's date (2022-06-30), shown as the source words it
      ['support-spending', '700余万元', 7000000, '元', 'over', '2022-06-30', null],
      ['care-institutions-with-medical', '5家', 5, '家', 'exact', '2022-06-30', null],
      ['residential-care-facility-standard', '不少于20㎡', 20, '㎡/百户', 'at_least', '2022-06-30', null],
      ['carers-trained', '2000余人次', 2000, '人次', 'over', '2022-06-30', null],
    ],
  },
  {
    jurisdiction: { id: 'jilin', name: '吉林市', name_en: 'Jilin City', level: 'prefecture_city', province: ['吉林省', 'external'] },
    report: {
      id: 'jilin-2020-proposal-557',
      title: '对市政协十三届四次会议第557号委员提案的答复',
      doc_number: '吉市卫议〔2020〕10号',
      issuer: '吉林市卫生健康委员会',
      date: '2020-06-09',
      addressee: '金淑委员',
      source_file: '003_c3a46aabbb5ae6e9.txt',
    },
    figures: [
      // id, text, value, unit, qualifier, as_of, indicator
      ['leading-group-founded', '2017年9月', 2017, '年', 'exact', '2017-09', null],
      ['leading-group-member-departments', '10个', 10, '个', 'exact', '2017-09', null],
      ['community-health-centres', '42家', 42, '家', 'exact', '2020-06-09', null],
      ['township-health-centres', '97家', 97, '家', 'exact', '2020-06-09', null],
      ['family-doctor-teams', '950个', 950, '个', 'exact', '2019-12-31', 'family-doctor-teams'],
      ['aged-65-plus', '52.6万人', 526000, '人', 'exact', '2019-12-31', null],
      ['elderly-signed', '36.2万人', 362000, '人', 'exact', '2019-12-31', null],
      ['elderly-signing-rate', '69%', 69, '%', 'exact', '2019-12-31', 'family-doctor-signing-elderly'],
      ['poor-elderly-signing-rate', '100%', 100, '%', 'exact', '2019-12-31', null],
      ['day-care-function-areas', '五个', 5, '个', 'exact', '2020-06-09', null],
      ['green-channel-rate', '100%', 100, '%', 'exact', '2020-06-09', 'green-channel-medical-institutions'],
      ['health-managed-elderly', '328879人', 328879, '人', 'exact', '2019-12-31', null],
      ['elderly-health-management-rate', '62.52%', 62.52, '%', 'exact', '2019-12-31', 'elderly-health-management-rate'],
      ['care-institutions', '289家', 289, '家', 'exact', '2019-12-31', null],
      ['care-institutions-with-medical', '271家', 271, '家', 'exact', '2019-12-31', null],
      ['care-institutions-with-medical-share', '93.77%', 93.77, '%', 'exact', '2019-12-31', 'care-institutions-with-medical-service'],
      ['care-institutions-with-agreement', '243家', 243, '家', 'exact', '2019-12-31', null],
      ['care-institutions-with-clinic', '22家', 22, '家', 'exact', '2019-12-31', null],
      ['medical-institutions-with-care', '6家', 6, '家', 'exact', '2019-12-31', null],
      ['ltc-insurance-pilot-start', '2016年12月', 2016, '年', 'exact', '2016-12', null],
      ['ltc-insurance-pilot-years', '3年', 3, '年', 'exact', '2020-06-09', null],
    ],
  },
  {
    jurisdiction: { id: 'weihai', name: '威海市', name_en: 'Weihai', level: 'prefecture_city', province: ['山东省', 'external'] },
    report: {
      id: 'weihai-cppcc-14-1-proposal-288',
      title: '关于市政协十四届一次会议第288号提案的答复',
      doc_number: undefined,
      issuer: '威海市卫生健康委员会',
      date: undefined,
      addressee: '王志委员',
      source_file: '004_972f247833b0ee4b.txt',
    },
    figures: [
      // id, text, value, unit, qualifier, as_of, indicator. The reply is undated: a figure whose sentence
      // names no time has no date (原文未写时点); "2021年以来" is a running total shown in the source's words;
      // the 有需求的 signing rate is not mapped to an indicator (its denominator differs; issue 17).
      ['districts-provincial-demo', '4个', 4, '个', 'exact', undefined, null],
      ['care-institution-socialisation-rate', '95.6%', 95.6, '%', 'exact', undefined, null],
      ['care-institutions', '160处', 160, '处', 'exact', '2021-12-31', null],
      ['care-beds', '38366张', 38366, '张', 'exact', '2021-12-31', null],
      ['nursing-beds', '21360张', 21360, '张', 'exact', '2021-12-31', null],
      ['nursing-bed-share', '55.7%', 55.7, '%', 'exact', '2021-12-31', 'nursing-bed-share'],
      ['residential-care-facility-rate', '100%', 100, '%', 'exact', undefined, null],
      ['subdistrict-care-centres', '75处', 75, '处', 'exact', undefined, null],
      ['urban-day-care-centres', '297处', 297, '处', 'exact', undefined, null],
      ['rural-happiness-homes', '430处', 430, '处', 'exact', undefined, null],
      ['lottery-fund-share', '52%以上', 52, '%', 'over', undefined, null],
      ['family-doctor-package-subsidy', '每人每年40元', 40, '元/人·年', 'exact', undefined, null],
      ['national-funds', '5343万元', 53430000, '元', 'exact', '2022', null],
      ['lead-tertiary-hospitals', '3家', 3, '家', 'exact', undefined, null],
      ['county-medical-communities', '7个', 7, '个', 'exact', undefined, null],
      ['medical-institutions-integrated', '107家', 107, '家', 'exact', undefined, null],
      ['county-treatment-rate', '90%以上', 90, '%', 'over', undefined, null],
      ['referral-growth-years', '连续2年', 2, '年', 'exact', undefined, null],
      ['referral-growth', '超过10%', 10, '%', 'over', undefined, null],
      ['imaging-cloud-hospitals', '20余家', 20, '家', 'over', undefined, null],
      ['imaging-cloud-primary-institutions', '30余家', 30, '家', 'over', undefined, null],
      ['home-care-platform-categories', '24大类', 24, '类', 'exact', undefined, null],
      ['home-care-platform-services', '200多项', 200, '项', 'over', undefined, null],
      ['home-care-platform-daily-calls', '3500余人次', 3500, '人次/日', 'over', undefined, null],
      ['family-doctor-teams', '718个', 718, '个', 'exact', undefined, 'family-doctor-teams'],
      ['elderly-signing-rate', '80%以上', 80, '%', 'over', '2021', 'family-doctor-signing-elderly'],
      ['community-brand-reach', '16万', 160000, '人', 'exact', undefined, null],
      ['care-institutions-signed-rate', '100%', 100, '%', 'exact', undefined, null],
      ['carers-trained', '4275人次', 4275, '人次', 'exact', undefined, null],
      ['nursing-students-per-year', '400余人', 400, '人/年', 'over', undefined, null],
    ],
  },
];

const FIXTURE_SEEDS = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));
const SHARED_SEEDS = '/work/shared/seeds';
function seedBody(file: string): string {
  return readFileSync(join(FIXTURE_SEEDS, file), 'utf8');
}

// Read only the catalogue and content/jurisdictions/ through readContent, so these facts are checked
// even while another part of content/ (towns) is incomplete; the full tree is validated elsewhere.
let dir: string;
let bundle: ContentBundle;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jurisdiction-facts-'));
  cpSync(join(CONTENT_DIR, 'indicators.yaml'), join(dir, 'indicators.yaml'));
  cpSync(join(CONTENT_DIR, 'jurisdictions'), join(dir, 'jurisdictions'), { recursive: true });
  bundle = readContent(dir);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function jurisdiction(id: string): Jurisdiction {
  const j = bundle.jurisdictions.find((x) => x.id === id);
  if (!j) throw new Error(`content/jurisdictions/${id}.yaml is missing`);
  return j;
}

function figures(id: string): ReportedFigure[] {
  return jurisdiction(id).reports.flatMap((r) => r.figures);
}

const figureRows = FACTS.flatMap((f) =>
  f.figures.map(([id, text, value, unit, qualifier, as_of, indicator]) => ({
    jurisdiction: f.jurisdiction.id,
    id,
    expected: { text, value, unit, qualifier, as_of, indicator: indicator ?? undefined },
  })),
);

describe('jurisdiction reports', () => {
  it('content/jurisdictions holds exactly the four transcribed jurisdictions', () => {
    expect(bundle.jurisdictions.map((j) => j.id).sort()).toEqual(FACTS.map((f) => f.jurisdiction.id).sort());
  });

  it.each(FACTS.map((f) => ({ name: f.jurisdiction.id, f })))('$name: identity and report metadata', ({ f }) => {
    const j = jurisdiction(f.jurisdiction.id);
    expect({ id: j.id, name: j.name, name_en: j.name_en, level: j.level, province: [j.province?.value, j.province?.basis] }).toEqual(f.jurisdiction);
    expect(j.reports).toHaveLength(1);
    const r = j.reports[0];
    expect({
      id: r.id,
      title: r.title,
      doc_number: r.doc_number,
      issuer: r.issuer,
      date: r.date,
      addressee: r.addressee,
      source_file: r.source_file,
    }).toEqual(f.report);
  });

  it.each(FACTS.map((f) => ({ name: f.jurisdiction.id, f })))('$name: every figure in content has a row in FACTS and vice versa', ({ f }) => {
    expect(figures(f.jurisdiction.id).map((x) => x.id)).toEqual(f.figures.map((row) => row[0]));
  });

  it('shows the source\'s own words for a time that is not a date', () => {
    const w = new Map(figures('weihai').map((f) => [f.id, f]));
    expect(w.get('carers-trained')).toMatchObject({ as_of_text: '2021年以来' });
    expect(w.get('carers-trained')!.as_of).toBeUndefined();
    expect(w.get('care-institution-socialisation-rate')).toMatchObject({ as_of_text: '目前' });
    expect(figures('yicheng').find((f) => f.id === 'support-spending')).toMatchObject({ as_of: '2022-06-30', as_of_text: '今年以来' });
  });

  it('the undated Weihai reply and the oddities of the sources are explained in a note', () => {
    expect(jurisdiction('weihai').reports[0].date).toBeUndefined();
    expect(jurisdiction('weihai').reports[0].note).toContain('没有落款和日期');
    expect(jurisdiction('tengzhou').reports[0].note).toContain('截至2019年底');
  });
});

describe('reported figures', () => {
  it.each(figureRows)('$jurisdiction/$id', ({ jurisdiction: jid, id, expected }) => {
    const fig = figures(jid).find((x) => x.id === id);
    expect(fig, `${jid}: figure "${id}"`).toBeDefined();
    expect({
      text: fig!.text,
      value: fig!.value,
      unit: fig!.unit,
      qualifier: fig!.qualifier,
      as_of: fig!.as_of,
      indicator: fig!.indicator,
    }).toEqual(expected);
  });

  it('figures mapped to a catalogue indicator use the catalogue unit', () => {
    const units = new Map(bundle.indicators.map((i) => [i.id, i.unit]));
    for (const j of bundle.jurisdictions)
      for (const fig of j.reports.flatMap((r) => r.figures))
        if (fig.indicator) expect(fig.unit, `${j.id}/${fig.id}`).toBe(units.get(fig.indicator));
  });
});

describe('figures agree with each other as the sources state them', () => {
  const v = (jid: string, id: string): number => {
    const fig = figures(jid).find((x) => x.id === id);
    if (!fig) throw new Error(`${jid}: figure "${id}" is missing`);
    return fig.value;
  };
  const pct = (a: number, b: number, digits: number) => Number(((a / b) * 100).toFixed(digits));

  it('滕州: 60岁以上老人 31.9万 is 18.2% of 175.2万; 居家 96.4% + 机构 3.6% = 100%', () => {
    expect(pct(v('tengzhou', 'aged-60-plus'), v('tengzhou', 'total-population'), 1)).toBe(v('tengzhou', 'aged-60-plus-share'));
    expect(v('tengzhou', 'home-based-share') + v('tengzhou', 'institution-based-share')).toBeCloseTo(100, 9);
  });

  it('吉林: 36.2万 / 52.6万 ≈ 69%; 328879 / 52.6万 = 62.52%; 271 / 289 = 93.77%; 243 + 22 + 6 = 271', () => {
    expect(pct(v('jilin', 'elderly-signed'), v('jilin', 'aged-65-plus'), 0)).toBe(v('jilin', 'elderly-signing-rate'));
    expect(pct(v('jilin', 'health-managed-elderly'), v('jilin', 'aged-65-plus'), 2)).toBe(v('jilin', 'elderly-health-management-rate'));
    expect(pct(v('jilin', 'care-institutions-with-medical'), v('jilin', 'care-institutions'), 2)).toBe(v('jilin', 'care-institutions-with-medical-share'));
    expect(v('jilin', 'care-institutions-with-agreement') + v('jilin', 'care-institutions-with-clinic') + v('jilin', 'medical-institutions-with-care')).toBe(
      v('jilin', 'care-institutions-with-medical'),
    );
  });

  it('威海: 护理型床位 21360 / 38366 = 55.7%', () => {
    expect(pct(v('weihai', 'nursing-beds'), v('weihai', 'care-beds'), 1)).toBe(v('weihai', 'nursing-bed-share'));
  });
});

describe('quotes are verbatim from the seed documents', () => {
  const quoteRows = FACTS.flatMap((f) => f.figures.map((row) => ({ jurisdiction: f.jurisdiction.id, id: row[0], file: f.report.source_file })));

  it.each(FACTS.map((f) => ({ file: f.report.source_file })))('fixture $file is an exact copy of the shared seed (when present)', ({ file }) => {
    const fixture = readFileSync(join(FIXTURE_SEEDS, file), 'utf8');
    expect(fixture.length).toBeGreaterThan(0);
    const shared = join(SHARED_SEEDS, file);
    if (existsSync(shared)) expect(fixture).toBe(readFileSync(shared, 'utf8'));
  });

  it.each(quoteRows)('$jurisdiction/$id: quote occurs in $file and text occurs in quote', ({ jurisdiction: jid, id, file }) => {
    const fig = figures(jid).find((x) => x.id === id);
    expect(fig, `${jid}: figure "${id}"`).toBeDefined();
    expect(seedBody(file)).toContain(fig!.quote);
    expect(fig!.quote).toContain(fig!.text);
  });

  it('each report names the seed file its quotes come from', () => {
    for (const j of bundle.jurisdictions)
      for (const r of j.reports) expect(existsSync(join(FIXTURE_SEEDS, r.source_file)), `${j.id}: ${r.source_file}`).toBe(true);
  });
});
