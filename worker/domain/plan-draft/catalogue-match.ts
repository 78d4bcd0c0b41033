/**
 * When a plan's target measures the same thing as a catalogue indicator (content/indicators.yaml):
 * the words each catalogue indicator needs in the target's clause (numeric) or goal text (qualitative).
 * A target whose words match none stays unmapped and becomes a proposed new indicator for a person to
 * decide; a near miss (same subject, other scope) must not match, so each rule names its scope words.
 */
export interface CatalogueRule {
  id: string;
  kind: 'numeric' | 'qualitative';
  /** Every pattern must match the text the rule reads. */
  all: RegExp[];
  /** What the rule reads: the whole clause, or (counts) the noun the number counts. */
  on: 'clause' | 'object';
  /** No pattern here may match (a different scope). */
  none?: RegExp[];
}

export const CATALOGUE_RULES: CatalogueRule[] = [
  { id: 'family-doctor-signing-elderly', kind: 'numeric', on: 'clause', all: [/家庭医生签约/, /老年/] },
  { id: 'elderly-health-management-rate', kind: 'numeric', on: 'clause', all: [/老年人健康管理率/] },
  { id: 'green-channel-medical-institutions', kind: 'numeric', on: 'clause', all: [/医疗机构/, /绿色通道/], none: [/有需求/] },
  { id: 'care-institutions-with-medical-service', kind: 'numeric', on: 'clause', all: [/养老机构/, /医疗护理服务|医疗服务/], none: [/有需求|社区/] },
  { id: 'community-care-facilities-signed-with-medical', kind: 'numeric', on: 'clause', all: [/社区养老|日间照料/, /医疗机构/, /签约|合作协议/] },
  { id: 'nursing-bed-share', kind: 'numeric', on: 'clause', all: [/护理型床位/] },
  { id: 'integrated-care-institutions', kind: 'numeric', on: 'object', all: [/^医养结合机构/] },
  { id: 'family-doctor-teams', kind: 'numeric', on: 'object', all: [/家庭医生(?:服务)?团队/] },
  { id: 'community-elderly-service-centres-built', kind: 'numeric', on: 'object', all: [/^社区养老服务中心/] },
  { id: 'villages-with-elderly-service-centre', kind: 'numeric', on: 'clause', all: [/行政村/, /养老服务中心/] },
  { id: 'city-smart-elderly-care-demo-communities', kind: 'numeric', on: 'object', all: [/^市级智慧健康养老示范社区/] },
  { id: 'provincial-smart-elderly-care-demo-communities', kind: 'numeric', on: 'object', all: [/^省级智慧健康养老示范社区/] },
  { id: 'tcm-integrated-care-demo-bases', kind: 'numeric', on: 'object', all: [/^中医药特色医养结合示范基地/] },
  { id: 'integrated-care-policy-system', kind: 'qualitative', on: 'clause', all: [/政策体系|标准规范|管理制度/] },
  { id: 'integrated-care-service-system', kind: 'qualitative', on: 'clause', all: [/服务体系/, /健全|建成|形成/] },
  { id: 'elderly-health-baseline-survey', kind: 'qualitative', on: 'clause', all: [/健康专项基线调查/] },
  { id: 'day-care-facility-transformation', kind: 'qualitative', on: 'clause', all: [/日间照料设施转型/] },
  { id: 'community-elderly-service-centres-social-participation', kind: 'qualitative', on: 'clause', all: [/社会参与/, /社区养老服务中心/] },
  { id: 'rural-entities-home-based-care', kind: 'qualitative', on: 'clause', all: [/农村新型经营主体/, /居家养老/] },
  { id: 'health-tourism-brand', kind: 'qualitative', on: 'clause', all: [/康养旅游品牌/] },
  { id: 'elderly-health-care-management-coverage', kind: 'qualitative', on: 'clause', all: [/健康养老管理服务/, /覆盖/] },
  { id: 'smart-elderly-care-products', kind: 'qualitative', on: 'clause', all: [/智能健康养老服务产品/] },
  { id: 'smart-medical-care-services', kind: 'qualitative', on: 'clause', all: [/智慧医养|智能照护/] },
  { id: 'integrated-care-industry', kind: 'qualitative', on: 'clause', all: [/医养健康产业/] },
  { id: 'fengmao-rehab-centre-operation', kind: 'qualitative', on: 'clause', all: [/冯卯养老康复中心/, /运行/] },
  { id: 'fengmao-binhu-yiyang-town', kind: 'qualitative', on: 'clause', all: [/滨湖颐养小镇/] },
];

/** The catalogue indicator a target's words measure, among `known` ids, or undefined. */
export function matchCatalogue(kind: 'numeric' | 'qualitative', clause: string, object: string, known: ReadonlySet<string>): string | undefined {
  for (const r of CATALOGUE_RULES) {
    if (r.kind !== kind || !known.has(r.id)) continue;
    const text = r.on === 'object' ? object : clause;
    if (r.all.every((p) => p.test(text)) && !(r.none ?? []).some((p) => p.test(text))) return r.id;
  }
  return undefined;
}
