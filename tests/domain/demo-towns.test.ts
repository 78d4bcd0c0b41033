/** The demonstration towns a local `npm start` adds: clearly demonstration data, no real person, in the real town's county. */
import { describe, expect, it } from 'vitest';
import { readContent } from '../../worker/content/read.ts';
import { DEMO_NOTICE, withDemoTowns } from '../../worker/content/demo.ts';

describe('the demonstration towns', () => {
  const content = readContent();
  const real = content.towns[0]!;
  const demo = withDemoTowns(content).towns.filter((t) => t.town.demo);

  it('are two, marked demo, named 演示…镇, in the real town’s county and city with a note saying so', () => {
    expect(demo.map((t) => t.town.name)).toEqual(['演示甲镇', '演示乙镇']);
    for (const t of demo) {
      expect(t.town.county?.value).toBe(real.town.county?.value);
      expect(t.town.county?.note).toContain('演示数据');
      expect(t.town.plan.doc_number).toMatch(/^【演示】/);
      expect(t.plan_markdown.startsWith(DEMO_NOTICE)).toBe(true);
    }
  });

  it('name no real person and not the real town', () => {
    const root = real.town.name.replace(/镇$/, '');
    for (const t of demo) {
      const all = JSON.stringify(t);
      for (const m of real.leading_group.members) expect(all, m.name).not.toContain(m.name);
      expect(all).not.toContain(root);
    }
  });

  it('are never in content/ itself: the bundle a deploy loads has none', () => {
    expect(content.towns.some((t) => t.town.demo)).toBe(false);
  });
});
