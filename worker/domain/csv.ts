/**
 * CSV, both ways: the writer every export uses (RFC 4180, CRLF, UTF-8 BOM, formula-safe cells) and
 * the RFC 4180 reader the task import and the tests use. Pure: no Hono, no D1.
 */

/** A cell of an exported table. */
export type Cell = string | number;

/**
 * A cell as spreadsheet-safe text: one that starts with = + - @, a tab or a carriage return gets a
 * leading apostrophe so Excel and WPS never run it as a formula.
 */
export const neutralise = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** The reverse of `neutralise`: the leading apostrophe before = + - @ tab CR is taken off again. */
export const unNeutralise = (s: string): string => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

/** CSV (RFC 4180, CRLF) with a UTF-8 byte order mark so Excel opens the Chinese correctly. */
export function toCsv(rows: Cell[][]): string {
  const cell = (c: Cell) => {
    const s = typeof c === 'number' ? String(c) : neutralise(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Why a text could not be read as CSV. */
export class CsvError extends Error {
  readonly reason: 'unbalanced_quotes' | 'too_many_rows';
  constructor(reason: CsvError['reason']) {
    super(reason === 'too_many_rows' ? 'too many rows' : 'unbalanced quotes');
    this.reason = reason;
  }
}

/**
 * RFC 4180 CSV (quoted cells, doubled quotes, CRLF, LF or CR line ends; a leading BOM skipped) into
 * rows of cells. `cell` maps each cell as it is read; more than `maxRows` rows throw CsvError
 * (while reading, so a huge file stops early); so does a quote left open at the end.
 */
export function parseCsv(text: string, opts: { maxRows?: number; cell?: (s: string) => string } = {}): string[][] {
  const maxRows = opts.maxRows ?? Infinity;
  const map = opts.cell ?? ((s: string) => s);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endCell = () => {
    row.push(map(cell));
    cell = '';
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
    if (rows.length > maxRows) throw new CsvError('too_many_rows');
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') (cell += '"'), i++;
        else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') endCell();
    else if (ch === '\r' && text[i + 1] === '\n') (endRow(), i++);
    else if (ch === '\n' || ch === '\r') endRow();
    else cell += ch;
  }
  if (quoted) throw new CsvError('unbalanced_quotes');
  if (cell !== '' || row.length) endRow();
  return rows;
}
