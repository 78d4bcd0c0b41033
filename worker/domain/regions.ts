/**
 * Regions: the counties and cities above the towns (content/regions.yaml). Which region a town
 * belongs to follows from the town's own county and city fields (each with its basis): a town
 * is in the county region of that name and in the city region of that name. Pure functions.
 */
import type { ContentBundle, Region, TownFile } from './content.ts';

/** The county and city regions a town belongs to (ids), or null. */
export function townRegions(town: Pick<TownFile, 'county' | 'city'>, regions: Region[]): { county: string | null; city: string | null } {
  const city = town.city ? regions.find((r) => r.level === 'city' && r.name === town.city!.value) ?? null : null;
  const county = town.county
    ? regions.find((r) => r.level === 'county' && r.name === town.county!.value && (!r.city || !town.city || r.city.region === city?.id)) ?? null
    : null;
  return { county: county?.id ?? null, city: city?.id ?? null };
}

/** Problems of content/regions.yaml: unique ids and names per level, a county's city is a city region, jurisdictions exist. */
export function checkRegions(b: ContentBundle): string[] {
  const out: string[] = [];
  const byId = new Map(b.regions.map((r) => [r.id, r]));
  const seen = new Set<string>();
  b.regions.forEach((r, i) => {
    const at = `regions.yaml: ${i}`;
    if (seen.has(r.id)) out.push(`${at}.id: region "${r.id}" is listed twice / 地区标识重复`);
    seen.add(r.id);
    if (b.regions.some((x) => x !== r && x.level === r.level && x.name === r.name && (x.city?.region ?? null) === (r.city?.region ?? null)))
      out.push(`${at}.name: two ${r.level} regions are named "${r.name}" / 同级地区重名`);
    if (r.city) {
      const c = byId.get(r.city.region);
      if (!c || c.level !== 'city') out.push(`${at}.city.region: "${r.city.region}" is not a city region of regions.yaml / 不是市级地区`);
      if (r.level !== 'county') out.push(`${at}.city: only a county belongs to a city / 只有县级地区才属于市`);
      if (r.city.basis === 'stated' && !r.city.quote) out.push(`${at}.city.quote: a stated fact needs its quote / 原文所述须附引文`);
      if (r.city.basis !== 'stated' && !r.city.note) out.push(`${at}.city.note: an external or inferred fact needs a note / 非原文所述须附说明`);
    }
    if (r.jurisdiction && !b.jurisdictions.some((j) => j.id === r.jurisdiction)) out.push(`${at}.jurisdiction: no jurisdictions/${r.jurisdiction}.yaml`);
  });
  return out;
}
