/**
 * A town's pages read a bounded amount whatever its history (issue 23's latency budgets): the
 * number of approved updates comes from counts the database keeps (migration 0021), and the pages
 * read only the indicator values their verdicts rest on — and judge every target exactly as they
 * would on every value.
 */
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types/index.ts';
import { readTown } from '../../worker/db/public.ts';
import { content, loadContent } from './helpers.ts';

const db = () => env.DB as unknown as D1Database;
const TOWN = 'fengmao';

/** A small deterministic generator (the same values on every run). */
function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** `n` approved updates on one task, each with a value of every numeric indicator of the town, dated 2017–2026 around its targets. */
async function seedHistory(n: number, seed: number, idPrefix: string) {
  const bundle = content();
  const town = bundle.towns.find((t) => t.town.id === TOWN)!;
  const task = town.tasks.find((t) => t.units.length > 0)!;
  const numeric = town.indicators.filter((i) => i.targets.some((t) => t.kind === 'numeric'));
  const target = (ind: (typeof numeric)[number]) => ind.targets.find((t) => t.kind === 'numeric') as { value: number };
  const rnd = lcg(seed);
  const stmts = [];
  for (let i = 0; i < n; i++) {
    const id = `${idPrefix}-${i}`;
    const at = new Date(Date.UTC(2017, 0, 1) + Math.floor(rnd() * 9.9 * 365 * 86_400_000)).toISOString();
    stmts.push(
      db()
        .prepare(
          `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, base_version, created_at, reviewed_by, reviewed_at)
           VALUES (?, ?, ?, ?, 'test-reporter', 'approved', 'in_progress', 50, '测试', 1, ?, 'test-office', ?)`,
        )
        .bind(id, TOWN, task.id, task.units[0]!.unit, at, at),
    );
    numeric.forEach((ind, k) => {
      const t = target(ind).value;
      // around the target: below, at, near and above it; some share a date (ties are broken by approval, then order)
      const r = rnd();
      const value = r < 0.15 ? t : r < 0.3 ? t * (1 + (rnd() - 0.5) * 0.02) : t * (0.4 + rnd() * 0.9);
      const asOf = rnd() < 0.1 ? '2020-12-31' : at.slice(0, 10);
      stmts.push(
        db()
          .prepare(`INSERT INTO indicator_values (update_id, ordinal, town_id, indicator_id, value, as_of, source, approved_at) VALUES (?, ?, ?, ?, ?, ?, '测试来源', ?)`)
          .bind(id, k, TOWN, ind.indicator, Math.round(value * 100) / 100, asOf, at),
      );
    });
  }
  for (let i = 0; i < stmts.length; i += 200) await db().batch(stmts.slice(i, i + 200));
  return { task };
}

/** What the pages show of the targets: per milestone, each target's verdict and the values it names. */
function verdicts(t: NonNullable<Awaited<ReturnType<typeof readTown>>>) {
  return t.view.milestones.map((m) => ({
    milestone: m.milestone.id,
    counts: m.counts,
    cards: m.cards.map((c) => ({ indicator: c.indicator.id, status: c.status, at_due: c.at_due, latest: c.latest, tasks: c.tasks })),
  }));
}

const countApproved = async () =>
  (await db()
    .prepare(`SELECT COUNT(*) AS n FROM task_updates u JOIN tasks t ON t.town_id = u.town_id AND t.id = u.task_id WHERE u.town_id = ? AND u.state = 'approved' AND t.kind <> 'rectification'`)
    .bind(TOWN)
    .first<{ n: number }>())!.n;

describe("a town's pages read a bounded part of its history", () => {
  it('judge every target on the values they read exactly as on every value, on any day', { timeout: 120_000 }, async () => {
    await loadContent();
    await seedHistory(300, 7, 'hist');
    const town = content().towns.find((t) => t.town.id === TOWN)!;
    const numericTargets = town.indicators.flatMap((i) => i.targets.filter((t) => t.kind === 'numeric'));
    // before a milestone, between them, and after the last
    for (const day of ['2018-06-01T04:00:00Z', '2019-06-01T04:00:00Z', '2021-06-01T04:00:00Z', '2026-06-01T04:00:00Z']) {
      const now = new Date(day);
      const all = (await readTown(db(), TOWN, now, 50, 'all'))!;
      const shown = (await readTown(db(), TOWN, now, 50, 'shown'))!;
      expect(verdicts(shown)).toEqual(verdicts(all));
      expect(shown.view.counts).toEqual(all.view.counts);
      expect(shown.view.data!.updated_at).toBe(all.view.data!.updated_at);
      expect(shown.view.updatesTotal).toBe(all.view.updatesTotal);
      // the verdicts are not all alike: the seeded history reaches met, met late, missed and not yet met
      if (day.startsWith('2026')) expect(new Set(verdicts(all).flatMap((m) => m.cards.map((c) => c.status))).size).toBeGreaterThan(2);
      expect(all.view.data!.values.length).toBeGreaterThan(1000);
      // each indicator's newest, and per numeric target two values, and the newest by approval
      expect(shown.view.data!.values.length).toBeLessThanOrEqual(town.indicators.length + 2 * numericTargets.length + 1);
    }
  });

  it('say how many approved updates there are from kept counts, after approvals, rejections undone and deletions', { timeout: 120_000 }, async () => {
    await loadContent();
    const { task } = await seedHistory(40, 11, 'count');
    const total = async () => (await readTown(db(), TOWN, new Date(), 50, 'shown'))!.view.updatesTotal;
    expect(await total()).toBe(40);
    // a pending update approved, another approved then taken back to pending, one deleted
    await db()
      .prepare(
        `INSERT INTO task_updates (id, town_id, task_id, unit_id, author_id, state, status, percent, narrative, base_version, created_at)
         VALUES ('pending-1', ?1, ?2, ?3, 'test-reporter', 'pending', 'in_progress', 60, '测试', 1, '2026-01-02T00:00:00Z'),
                ('pending-2', ?1, ?2, ?3, 'test-reporter', 'pending', 'in_progress', 70, '测试', 1, '2026-01-03T00:00:00Z')`,
      )
      .bind(TOWN, task.id, task.units[0]!.unit)
      .run();
    expect(await total()).toBe(40);
    await db().prepare(`UPDATE task_updates SET state = 'approved', reviewed_at = '2026-01-04T00:00:00Z' WHERE id IN ('pending-1', 'pending-2')`).run();
    expect(await total()).toBe(42);
    await db().prepare(`UPDATE task_updates SET state = 'pending', reviewed_at = NULL WHERE id = 'pending-2'`).run();
    expect(await total()).toBe(41);
    await db().batch([db().prepare(`DELETE FROM indicator_values WHERE update_id = 'count-0'`), db().prepare(`DELETE FROM task_updates WHERE id = 'count-0'`)]);
    expect(await total()).toBe(40);
    expect(await countApproved()).toBe(40);
  });
});
