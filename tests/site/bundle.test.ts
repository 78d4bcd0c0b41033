/**
 * The Worker bundle and the build hold no town: every town is rows in D1 (issue 23). If a page
 * read the content collection again, the adapter would bundle every town's plan into dist/server
 * and the Worker would grow (and start slower) with each town.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readContent } from '../../worker/content/read.ts';

const SERVER = resolve(import.meta.dirname, '../../dist/server');

/** Every file of the built Worker except source maps (which quote the source's comments). */
function serverFiles(dir = SERVER): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? serverFiles(p) : n.endsWith('.map') ? [] : [p];
  });
}

describe('the built Worker', () => {
  it("holds none of the towns' data: no plan title, member, profile sentence, task quote or region name", () => {
    const code = serverFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    const c = readContent();
    const facts = c.towns.flatMap((t) => [
      t.town.plan.title,
      ...t.leading_group.members.map((m) => `${m.name}`).filter((n) => n.length >= 2),
      ...t.town.profile.map((p) => p.quote),
      ...t.tasks.map((x) => x.quote).filter((q) => q.length > 8),
      t.plan_markdown.split('\n').find((l) => l.length > 30)!,
    ]);
    expect(facts.length).toBeGreaterThan(50);
    const found = facts.filter((f) => code.includes(f));
    expect(found).toEqual([]);
    for (const j of c.jurisdictions) for (const r of j.reports) for (const f of r.figures) expect(code, f.quote).not.toContain(f.quote);
  });
});
