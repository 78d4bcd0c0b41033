/**
 * Demonstration towns for a local `npm start` (issue 24): so that a newcomer sees a county's towns
 * side by side, two towns are made from the first real town of content/ and put in its county.
 * They are clearly demonstration data — `demo: true` (every page shows the banner), 演示 in their
 * names, every person's name replaced by a placeholder, the plan text opened by a notice — and are
 * never loaded by `npm run deploy` or `db:load --remote` (only `npm start` asks for them).
 * Pure: no file system.
 */
import type { ContentBundle, TownBundle } from '../domain/content.ts';

/** The demonstration towns' ids and names. */
export const DEMO_TOWNS = [
  { id: 'demo-jia', root: '演示甲' },
  { id: 'demo-yi', root: '演示乙' },
] as const;

/** The notice that opens a demonstration town's plan text. */
export const DEMO_NOTICE = '【演示数据】本镇是为演示区县页面而生成的虚构乡镇，不是真实乡镇的方案；内容由真实方案改名而来，人名均已替换。';

const replaceAll = (s: string, pairs: [string, string][]): string => pairs.reduce((x, [a, b]) => (a ? x.split(a).join(b) : x), s);

/** A demonstration copy of `real` named after `root` (演示甲 → 演示甲镇). */
export function demoTown(real: TownBundle, id: string, root: string): TownBundle {
  const realRoot = real.town.name.replace(/镇$/, '');
  const people: [string, string][] = real.leading_group.members.map((m, i) => [m.name, `演示成员${i + 1}`]);
  // Longer names first, so that no name is replaced inside another.
  people.sort((a, b) => b[0].length - a[0].length);
  const pairs: [string, string][] = [...people, [realRoot, root]];
  const text = <T>(v: T): T => JSON.parse(replaceAll(JSON.stringify(v), pairs)) as T;
  const t = text(structuredClone(real));
  const place = (f: typeof real.town.county) =>
    f && { value: f.value, basis: 'external' as const, note: "演示数据：放在本站真实示范镇所在的地区，便于查看地区页面。" };
  return {
    ...t,
    town: {
      ...t.town,
      id,
      name: `${root}镇`,
      name_en: { value: `Demo town ${root}`, basis: 'external', note: '演示数据' },
      province: place(real.town.province),
      city: place(real.town.city),
      county: place(real.town.county),
      demo: true,
      plan: { ...t.town.plan, doc_number: `【演示】${t.town.plan.doc_number}` },
    },
    plan_markdown: `${DEMO_NOTICE}\n\n${t.plan_markdown}`,
  };
}

/** The bundle with the demonstration towns added (none when content/ holds no town). */
export function withDemoTowns(bundle: ContentBundle): ContentBundle {
  const real = bundle.towns.find((t) => !t.town.demo);
  if (!real) return bundle;
  const have = new Set(bundle.towns.map((t) => t.town.id));
  return { ...bundle, towns: [...bundle.towns, ...DEMO_TOWNS.filter((d) => !have.has(d.id)).map((d) => demoTown(real, d.id, d.root))] };
}
