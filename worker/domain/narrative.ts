/**
 * Narratives of task updates are plain text or a small, safe Markdown subset, and they are always
 * rendered inert: whatever a reporter types can never become markup, script or a live `javascript:`
 * link on a public page, in the console or in an export.
 *
 * The subset: paragraphs and line breaks, bullet and numbered lists, **bold** and *italic*, and
 * links to http(s) addresses (shown with rel="nofollow noopener noreferrer ugc"). Everything
 * else — raw HTML, images, headings, tables, code blocks, other link schemes — is shown as the
 * literal text the reporter typed. Rendering uses markdown-it with its `zero` preset, so only the
 * rules named here are on; it runs the same in the browser, in workerd and at build time.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt('zero', { html: false, linkify: false, typographer: false, breaks: true })
  .enable(['newline', 'emphasis', 'list', 'link', 'escape', 'backticks']);

/** Only absolute http(s) links survive; anything else is left as text. */
md.validateLink = (url: string) => /^https?:\/\/[^\s]+$/i.test(url.trim());

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer ugc');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** The narrative as inert HTML (a fragment of <p>, <ul>/<ol>, <strong>, <em>, <code>, <a>, <br>). */
export function renderNarrative(text: string): string {
  return md.render(text);
}

/** The narrative as plain text (Markdown markers kept as typed), for CSV/XLSX and feeds' summaries. */
export function narrativeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}
