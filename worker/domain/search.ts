/**
 * Search across every town: what is indexed, how text becomes index terms, how a reader's words
 * become a query, and the answer's shape. Pure: no D1 (worker/db/search.ts runs the statements).
 *
 * Chinese has no spaces between words, and readers search for one- and two-character words
 * (签约, 医养, 镇). Every text is indexed as overlapping character bigrams of each run of letters
 * and digits, plus the run's last character: 家庭医生 → 家庭 庭医 医生 生. A query of two or more
 * characters is the phrase of its bigrams (consecutive positions, so it matches exactly that
 * substring and never across a run's end, where the lone last character sits); one character is
 * a prefix query. Case and width are folded (NFKC, lower case); spaces and punctuation separate
 * runs, and every run of the query must occur. The query is built from letters and digits only,
 * so nothing a reader types (", *, OR, parentheses) reaches FTS5 as syntax.
 */
import { z } from 'zod';
import { planBlocks, planBlockUrl } from './plan-text.ts';

/** At most this many characters in a query. */
export const SEARCH_MAX_CHARS = 100;
/** At most this many separate words (runs) of a query are used. */
export const SEARCH_MAX_RUNS = 8;
/** Counting stops here: the answer says "more than" beyond it. */
export const SEARCH_COUNT_CAP = 1000;
/** Results per page, by default and at most. */
export const SEARCH_PAGE = 20;
export const SEARCH_PAGE_MAX = 50;

/** What a result points at: a block of a plan, a task on the tasks page, a target indicator. */
export const SearchKind = z.enum(['plan', 'task', 'target']);
export type SearchKind = z.infer<typeof SearchKind>;

/** One result. */
export const SearchHit = z.object({
  /** The town's id. */
  town: z.string(),
  /** The town's name. */
  town_name: z.string(),
  /** `plan` (a heading, paragraph or list of the plan), `task` or `target`. */
  kind: SearchKind,
  /** The plan block's anchor, the task's id or the indicator's id. */
  ref: z.string(),
  /** Where it is: a plan page anchor, a task on the tasks page, a target's page. */
  url: z.string(),
  /** The heading, "code title" of the task, or the indicator's name ('' for a paragraph). */
  title: z.string(),
  /** The headings a plan block sits under, outermost first (empty for tasks and targets). */
  context: z.array(z.string()),
  /** A short passage around the first match, HTML-escaped, each match in `<mark>`. */
  snippet_html: z.string(),
});
export type SearchHit = z.infer<typeof SearchHit>;

/** One page of results, best first. */
export const SearchResults = z.object({
  /** The query as received. */
  q: z.string(),
  /** The town the search was limited to, or null for every town. */
  town: z.string().nullable(),
  /** How many entries match (at most SEARCH_COUNT_CAP; see `total_capped`). */
  total: z.number().int().nonnegative(),
  /** True when more entries match than `total` says. */
  total_capped: z.boolean(),
  limit: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
  hits: z.array(SearchHit),
});
export type SearchResults = z.infer<typeof SearchResults>;

const WORD = /[\p{L}\p{N}]/u;

/**
 * The text folded for matching, one entry per folded character, each with the index (code points)
 * of the original character it came from; a separator (anything not a letter or digit) is ' '.
 */
function fold(text: string): { chars: string[]; from: number[] } {
  const chars: string[] = [];
  const from: number[] = [];
  let i = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    // Fast paths (most of a plan): CJK unified ideographs are their own NFKC form; ASCII only folds case.
    if (code >= 0x4e00 && code <= 0x9fff) {
      chars.push(c);
      from.push(i);
    } else if (code < 0x80) {
      const l = c.toLowerCase();
      chars.push((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') ? l : ' ');
      from.push(i);
    } else {
      for (const f of c.normalize('NFKC').toLowerCase()) {
        chars.push(WORD.test(f) ? f : ' ');
        from.push(i);
      }
    }
    i++;
  }
  return { chars, from };
}

/** The runs of letters and digits of a text, folded. */
function runsOf(text: string): string[][] {
  const out: string[][] = [];
  let run: string[] = [];
  for (const c of fold(text).chars) {
    if (c === ' ') {
      if (run.length) out.push(run);
      run = [];
    } else run.push(c);
  }
  if (run.length) out.push(run);
  return out;
}

/** The index terms of a text: each run's overlapping bigrams and its last character, space-separated. */
export function searchGrams(text: string): string {
  const terms: string[] = [];
  for (const run of runsOf(text)) {
    for (let i = 0; i + 1 < run.length; i++) terms.push(run[i]! + run[i + 1]!);
    terms.push(run[run.length - 1]!);
  }
  return terms.join(' ');
}

/** The words of a query (folded runs of letters and digits), at most SEARCH_MAX_RUNS; [] when none. */
export function queryRuns(q: string): string[] {
  const seen = new Set<string>();
  for (const r of runsOf(q.slice(0, SEARCH_MAX_CHARS * 2))) seen.add(r.join(''));
  return [...seen].slice(0, SEARCH_MAX_RUNS);
}

/** The FTS5 MATCH expression for the query's runs, optionally within one town. Only letters, digits, quotes and spaces. */
export function matchExpression(runs: string[], town?: string | null): string {
  const parts = runs.map((r) => {
    const cs = Array.from(r);
    if (cs.length === 1) return `{title body} : "${cs[0]}" *`;
    const bigrams = cs.slice(0, -1).map((c, i) => c + cs[i + 1]);
    return `{title body} : "${bigrams.join(' ')}"`;
  });
  if (town) parts.unshift(`town : "${town}"`);
  return parts.join(' AND ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A passage of `text` around its first match of any run, HTML-escaped, every match in the passage
 * in `<mark>`; null when the text holds no match. Offsets are mapped back from the folded text, so
 * the passage shows the text exactly as written (full-width punctuation and all).
 */
export function snippetHtml(text: string, runs: string[], width = 90): string | null {
  const orig = Array.from(text);
  const { chars, from } = fold(text);
  const spans: [number, number][] = [];
  for (const r of runs) {
    const rc = Array.from(r);
    for (let i = 0; i + rc.length <= chars.length; i++) {
      let ok = true;
      for (let j = 0; j < rc.length && ok; j++) ok = chars[i + j] === rc[j];
      if (ok) spans.push([from[i]!, from[i + rc.length - 1]! + 1]);
    }
  }
  if (!spans.length) return null;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const first = spans[0]![0];
  const start = Math.max(0, Math.min(first - Math.floor(width / 3), orig.length - width));
  const end = Math.min(orig.length, start + width);
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [s, e] of spans) {
    if (s < at || e > end) continue;
    out += escapeHtml(orig.slice(at, s).join('')) + '<mark>' + escapeHtml(orig.slice(s, e).join('')) + '</mark>';
    at = e;
  }
  out += escapeHtml(orig.slice(at, end).join('')) + (end < orig.length ? '…' : '');
  return out.replace(/\s*\n\s*/g, ' ');
}

/** What a town's search entries are made from (the content bundle when loading, D1 rows when rebuilding). */
export interface SearchSource {
  plan_markdown: string;
  /** Plan tasks (key tasks, guarantees, deliverables), in outline order. */
  tasks: { id: string; code: string; title: string; quote: string }[];
  /** Target indicators, in the town's order: the indicator's name and each milestone's target text. */
  targets: { indicator: string; name: string; lines: string[] }[];
}

/** One entry of the index (a row of search_docs). */
export interface SearchDoc {
  kind: SearchKind;
  ref: string;
  title: string;
  context: string;
  body: string;
  ordinal: number;
}

/** Separator of the heading path in search_docs.context. */
export const CONTEXT_SEP = '\u001f';

/** Every search entry of a town: plan blocks (headings by their text, other blocks by theirs), tasks, targets. */
export function townSearchDocs(src: SearchSource): SearchDoc[] {
  const out: SearchDoc[] = [];
  for (const b of planBlocks(src.plan_markdown)) {
    if (b.kind === 'heading') out.push({ kind: 'plan', ref: b.anchor, title: b.text, context: b.path.slice(0, -1).join(CONTEXT_SEP), body: '', ordinal: out.length });
    else if (b.text) out.push({ kind: 'plan', ref: b.anchor, title: '', context: b.path.join(CONTEXT_SEP), body: b.text, ordinal: out.length });
  }
  for (const t of src.tasks) out.push({ kind: 'task', ref: t.id, title: taskTitle(t), context: '', body: t.quote, ordinal: out.length });
  for (const t of src.targets) out.push({ kind: 'target', ref: t.indicator, title: t.name, context: '', body: t.lines.join('\n'), ordinal: out.length });
  return out;
}

/** A task as search shows and indexes its title: "code title". */
export const taskTitle = (t: { code: string; title: string }): string => `${t.code} ${t.title}`.trim();

/** Where a result points. */
export function searchUrl(town: string, kind: SearchKind, ref: string): string {
  if (kind === 'plan') return planBlockUrl(town, ref);
  if (kind === 'task') return `/towns/${town}/tasks/#task-${encodeURIComponent(ref)}`;
  return `/towns/${town}/targets/${encodeURIComponent(ref)}/`;
}
