/**
 * Reads the data snapshot of a town (`npm run snapshot` writes `.snapshot/<town>.json`).
 * SNAPSHOT_DIR selects another folder (the tests use tests/fixtures/snapshot). Without a
 * snapshot the pages are built from the plan alone and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TownSnapshot } from '../../worker/domain/public-snapshot.ts';

/** The folder snapshots are read from. */
export const snapshotDir = (): string => resolve(process.env.SNAPSHOT_DIR ?? '.snapshot');

const cache = new Map<string, TownSnapshot | null>();

/** The town's snapshot, validated; null when there is none. A malformed snapshot fails the build. */
export function readSnapshot(town: string): TownSnapshot | null {
  if (cache.has(town)) return cache.get(town)!;
  const file = resolve(snapshotDir(), `${town}.json`);
  let snap: TownSnapshot | null = null;
  if (existsSync(file)) {
    const parsed = TownSnapshot.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is not a valid snapshot: ${parsed.error.message}`);
    if (parsed.data.town !== town) throw new Error(`${file} holds town "${parsed.data.town}", not "${town}"`);
    snap = parsed.data;
  }
  cache.set(town, snap);
  return snap;
}
