/**
 * A plan's text as blocks a reader (and a search result) can point at.
 *
 * Headings get the id Astro's Markdown renderer gives them today (github-slugger over the heading's
 * text, duplicates numbered `-1`, `-2` …), so existing links to `/towns/<id>/plan/#<slug>` keep
 * working. Every other top-level block (paragraph, list, table, quote, code) gets a block anchor
 * `<section slug>.<n>`: the slug of the heading it sits under (`top` before the first heading) and
 * its 1-based position under that heading. github-slugger strips `.`, so a block anchor can never
 * equal a heading's id, and editing one section leaves the anchors of the others unchanged.
 *
 * Pure: markdown-it with raw HTML off (a `<script>` in plan.md is shown as text), no Astro, no D1.
 */
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import { z } from 'zod';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

// typographer: Astro's smartypants turns -- and ... into dashes and ellipses before slugging; do the same.
const md = new MarkdownIt('default', { html: false, linkify: false, typographer: true });

/** One block of a plan, in document order. */
export const PlanBlock = z.object({
  /** The block's anchor on the plan page: a heading's slug, or `<section slug>.<n>` for other blocks. */
  anchor: z.string().min(1),
  /** `heading` for "#"…"######" lines, `paragraph`, `list`, `table`, `quote` or `code` otherwise. */
  kind: z.enum(['heading', 'paragraph', 'list', 'table', 'quote', 'code']),
  /** Heading depth 1–6 (headings only). */
  depth: z.number().int().min(1).max(6).optional(),
  /** The texts of the headings this block sits under, outermost first (a heading lists itself last). */
  path: z.array(z.string()),
  /** The block's plain text (Markdown markers removed; list items and table cells on their own lines). */
  text: z.string(),
});
export type PlanBlock = z.infer<typeof PlanBlock>;

const BLOCK_KIND: Record<string, PlanBlock['kind']> = {
  paragraph_open: 'paragraph',
  bullet_list_open: 'list',
  ordered_list_open: 'list',
  table_open: 'table',
  blockquote_open: 'quote',
  fence: 'code',
  code_block: 'code',
};

/** The text an inline token renders to (what a browser's textContent of it gives). */
function inlineText(t: Token): string {
  return (t.children ?? [])
    .map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' || c.type === 'hardbreak' ? '\n' : ''))
    .join('');
}

interface Parsed {
  tokens: Token[];
  blocks: PlanBlock[];
}

/** Parses once, sets each top-level block's id attribute and returns the blocks. */
function parse(markdown: string): Parsed {
  const tokens = md.parse(markdown, {});
  const slugger = new GithubSlugger();
  const blocks: PlanBlock[] = [];
  const path: { depth: number; text: string }[] = [];
  let section = 'top';
  let ordinal = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.level !== 0 || t.nesting === -1) continue;
    if (t.type === 'heading_open') {
      const depth = Number(t.tag.slice(1));
      const text = inlineText(tokens[i + 1]!);
      const anchor = slugger.slug(text);
      t.attrSet('id', anchor);
      while (path.length && path[path.length - 1]!.depth >= depth) path.pop();
      path.push({ depth, text: text.trim() });
      section = anchor;
      ordinal = 0;
      blocks.push({ anchor, kind: 'heading', depth, path: path.map((p) => p.text), text: text.trim() });
      continue;
    }
    const kind = BLOCK_KIND[t.type];
    if (!kind) continue;
    const anchor = `${section}.${++ordinal}`;
    t.attrSet('id', anchor);
    let text: string;
    if (t.nesting === 0) text = t.content;
    else {
      // Every inline token up to this block's close, one line each (list items, table cells).
      const lines: string[] = [];
      for (let j = i + 1; j < tokens.length && !(tokens[j]!.level === 0 && tokens[j]!.nesting === -1); j++) {
        if (tokens[j]!.type === 'inline') lines.push(inlineText(tokens[j]!));
      }
      text = lines.join('\n');
    }
    blocks.push({ anchor, kind, path: path.map((p) => p.text), text: text.trim() });
  }
  return { tokens, blocks };
}

/** The plan's blocks in document order, each with its anchor, heading path and plain text. */
export function planBlocks(markdown: string): PlanBlock[] {
  return parse(markdown).blocks;
}

/**
 * The plan as an HTML fragment: every heading carries its slug as `id`, every other top-level block
 * its block anchor. Raw HTML in the Markdown is escaped, never passed through.
 */
export function planHtml(markdown: string): string {
  const { tokens } = parse(markdown);
  return md.renderer.render(tokens, md.options, {});
}

/** The URL of a block on a town's plan page. */
export function planBlockUrl(town: string, anchor: string, prefix = ''): string {
  return `${prefix}/towns/${town}/plan/#${encodeURIComponent(anchor)}`;
}
