/**
 * Rebuilds the search index (migrations/0014) from what the database holds: every town's plan
 * text, tasks and targets, through the same entries the content loader writes
 * (worker/domain/search.ts). The index is never in a backup, so `npm run import` ends with this;
 * `npm run search:rebuild` runs it alone (after an import that stopped during the rebuild, say).
 */
import { townSearchDocs } from '../domain/search.ts';
import { clearSearchStmts, searchSourceStmts, searchSourcesFromRows, townIdsStmt, townSearchStmts } from '../db/search.ts';
import type { Stmt } from '../db/sql.ts';
import type { D1Client } from './d1.ts';

/** Towns read and written per round (through wrangler, one call to read and one to write each). */
const TOWNS_PER_ROUND = 25;

/** Empties the index and writes every town's entries again; returns how many entries. */
export async function rebuildSearch(db: D1Client, say: (msg: string) => void = () => {}): Promise<{ towns: number; entries: number }> {
  const towns = (await db.objects<{ id: string }>(townIdsStmt())).map((t) => t.id);
  await db.batch(clearSearchStmts());
  let entries = 0;
  for (let i = 0; i < towns.length; i += TOWNS_PER_ROUND) {
    const ids = towns.slice(i, i + TOWNS_PER_ROUND);
    const [plans, tasks, targets] = (await db.objectsMany(searchSourceStmts(ids))) as unknown as Parameters<typeof searchSourcesFromRows>;
    const writes: Stmt[] = [];
    for (const [town, src] of searchSourcesFromRows(plans, tasks, targets)) {
      const docs = townSearchDocs(src);
      entries += docs.length;
      // No digest: the next content load writes the town's entries again (they may differ from content/).
      writes.push(...townSearchStmts(town, docs, null));
    }
    if (writes.length) await db.batch(writes);
    say(`search index: ${Math.min(i + TOWNS_PER_ROUND, towns.length)} of ${towns.length} towns`);
  }
  return { towns: towns.length, entries };
}
