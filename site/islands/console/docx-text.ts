/**
 * A .docx's text in the browser, by mammoth (the converter `npm run plan:draft` uses): paragraphs as
 * lines, Word table rows as tab-separated cells (worker/domain/plan-draft/document.ts). Its own chunk,
 * loaded only when an admin picks a .docx on 方案起草, and kept out of the offline precache
 * (site/integrations/console-offline.mjs): no one else downloads it.
 */
import mammoth from 'mammoth';
import { htmlToText } from '../../../worker/domain/plan-draft/document.ts';

/** The text of a .docx file. */
export async function docxText(file: Blob): Promise<string> {
  const { value } = await mammoth.convertToHtml({ arrayBuffer: await file.arrayBuffer() });
  return htmlToText(value);
}
