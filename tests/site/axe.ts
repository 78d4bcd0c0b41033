/** axe-core in a page (opened with bypassCSP: the public pages themselves run no script): the violations, one line each. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** WCAG 2.2 AA and (unless `bestPractice: false`) best practice: `rule: first targets` for each violation; [] when none. */
export async function axeViolations(page: Page, opts: { bestPractice?: boolean } = {}): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const values = opts.bestPractice === false ? WCAG : [...WCAG, 'best-practice'];
  return page.evaluate(async (values) => {
    const r = await (window as any).axe.run(document, { runOnly: { type: 'tag', values } });
    return r.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3).join(' | ')}`) as string[];
  }, values);
}
