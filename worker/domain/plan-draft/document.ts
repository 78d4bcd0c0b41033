/**
 * A plan document's bytes → its text, for the formats the drafter reads: .txt/.md (UTF-8 or GB18030) and
 * the HTML mammoth makes of a .docx (paragraphs as lines, Word table rows as tab-separated cells).
 * Refuses .doc, .wps and PDF with how to save as .docx. Pure: TextDecoder only.
 */

/** Thrown for a file the drafter cannot read; the message says what to do, in Chinese and English. */
export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}

/** Formats the drafter reads, by file extension. */
export type DocumentFormat = 'docx' | 'txt' | 'md';

/** The format of a file name, or a DocumentError saying how to convert it. */
export function documentFormat(fileName: string): DocumentFormat {
  const ext = /\.([^.]+)$/.exec(fileName.toLowerCase())?.[1] ?? '';
  if (ext === 'docx' || ext === 'txt' || ext === 'md') return ext;
  if (ext === 'doc' || ext === 'wps' || ext === 'pdf')
    throw new DocumentError(
      `不能读取 .${ext} 文件：请用 Word 或 WPS 打开，选“文件 → 另存为”，保存类型选“Word 文档 (*.docx)”，再上传 .docx。` +
        ` / Cannot read .${ext}: open it in Word or WPS, choose File → Save As, type "Word Document (*.docx)", and use the .docx.`,
    );
  throw new DocumentError(`只能读取 .docx、.txt、.md 文件 / only .docx, .txt and .md files can be read (got “${fileName}”).`);
}

/** Text of a .txt/.md file: UTF-8 when it decodes as such, otherwise GB18030 (GBK files from Windows). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const unescape = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? m),
  );
const inline = (html: string) => unescape(html.replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]+>/g, '')).replace(/[\t\n]+/g, ' ').trim();

/** Text of mammoth's HTML for a .docx: one line per paragraph or heading, one tab-separated line per table row. */
export function htmlToText(html: string): string {
  const lines: string[] = [];
  const re = /<table[\s\S]*?<\/table>|<(p|h[1-6]|li)\b[^>]*>([\s\S]*?)<\/\1>/gi;
  for (const m of html.matchAll(re)) {
    if (m[0].startsWith('<table')) {
      for (const row of m[0].matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/gi)) {
        const cells = [...row[1]!.matchAll(/<t[dh]\b[^>]*>([\s\S]*?)<\/t[dh]>/gi)].map((c) => inline(c[1]!.replace(/<\/p>\s*<p[^>]*>/gi, ' ')));
        if (cells.some((c) => c)) lines.push(cells.join('\t'));
      }
    } else {
      const t = inline(m[2]!);
      if (t) lines.push(t);
    }
  }
  return lines.join('\n');
}
