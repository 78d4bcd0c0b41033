/**
 * Dates as people type them into a spreadsheet in China, read into a town's milestones (时间节点):
 * 2022/12/31, 2022-12-31, 2022.12.31, 2022年12月31日, 2022年底, 2022, a date cell (read as
 * YYYY-MM-DD), an Excel day number (44926), full-width digits. Pure: no Hono, no D1.
 */
import { serialDate } from './xlsx-read.ts';

/** What a typed date says: a calendar day, a month, or (the end of) a year. */
export type TypedDate = { day: string; serial?: number } | { month: string } | { year: number };

const pad = (n: number) => String(n).padStart(2, '0');
const isDay = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/** Reads a typed date; null when the text is not one of the accepted forms (or not a real day). */
export function parseTypedDate(typed: string): TypedDate | null {
  const s = typed
    .trim()
    .replace(/[０-９]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[／－．]/g, (ch) => ({ '／': '/', '－': '-', '．': '.' })[ch]!)
    .replace(/\s+/g, '');
  let m = /^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?(?:T?0{1,2}:00(?::00(?:\.0+)?)?Z?)?$/.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return isDay(y, mo, d) ? { day: `${y}-${pad(mo)}-${pad(d)}` } : null;
  }
  m = /^(\d{4})(?:[-/.]|年)(\d{1,2})月?(?:底|末)?$/.exec(s);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? { month: `${m[1]}-${pad(Number(m[2]))}` } : null;
  m = /^(\d{4})(?:年)?(?:年?底|年?末|年年底|年年末|12月底|12月末)?$/.exec(s);
  if (m) return { year: Number(m[1]) };
  // An Excel day number: a date cell saved to CSV as a number, or a date typed into a text column.
  m = /^(\d{5})(?:\.\d+)?$/.exec(s);
  if (m) {
    const day = serialDate(Number(m[1]));
    return day ? { day, serial: Number(m[1]) } : null;
  }
  return null;
}

/** A town's milestone as the import matches it. */
export interface MilestoneRef {
  id: string;
  label: string;
  due: string;
  year: number;
}

/**
 * The milestone a typed deadline means: its id or label as exported, a day equal to its due date,
 * a month holding it, or its year. `shown` is the text for an error message: as typed, with the
 * date a day number stands for.
 */
export function milestoneOf(typed: string, milestones: readonly MilestoneRef[]): { id: string } | { shown: string; understood: string | null } {
  const text = typed.trim();
  const exact = milestones.find((m) => m.id === text || m.label === text);
  if (exact) return { id: exact.id };
  const d = parseTypedDate(text);
  const hit =
    d === null ? undefined
    : 'day' in d ? milestones.find((m) => m.due === d.day)
    : 'month' in d ? milestones.find((m) => m.due.startsWith(d.month))
    : (milestones.find((m) => m.year === d.year && m.due.endsWith('-12-31')) ?? milestones.find((m) => m.year === d.year));
  if (hit) return { id: hit.id };
  const understood = d === null ? null : 'day' in d ? d.day : 'month' in d ? d.month : `${d.year}年`;
  return { shown: d && 'serial' in d && d.serial !== undefined ? `${text}（即 ${understood}）` : text, understood };
}
