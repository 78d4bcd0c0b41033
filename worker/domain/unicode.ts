/**
 * Text must be Unicode: finds strings that are not well-formed UTF-16 (a lone surrogate, which
 * SQLite would store as U+FFFD), and marks invalid UTF-8 in a request body so the field holding it
 * can be named. NUL, RTL marks and zero-width characters are valid Unicode and are left alone.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string is well-formed (no lone surrogate). */
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

/** Dotted paths of every string value or object key in `v` that is not well-formed ('' for `v` itself). */
export function illFormedText(v: unknown, at = ''): string[] {
  const join = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (typeof v === 'string') return isWellFormed(v) ? [] : [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => illFormedText(x, join(i)));
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => (isWellFormed(k) ? illFormedText(x, join(k)) : [join(k)]));
  }
  return [];
}

/** Length of the valid UTF-8 sequence starting at `i` (Unicode's well-formed byte sequences), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const x = b[i]!;
  if (x < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (x >= 0xc2 && x <= 0xdf) n = 2;
  else if (x >= 0xe0 && x <= 0xef) {
    n = 3;
    if (x === 0xe0) lo = 0xa0;
    if (x === 0xed) hi = 0x9f; // no encoded surrogates
  } else if (x >= 0xf0 && x <= 0xf4) {
    n = 4;
    if (x === 0xf0) lo = 0x90;
    if (x === 0xf4) hi = 0x8f; // nothing beyond U+10FFFF
  } else return 0;
  if (i + n > b.length || b[i + 1]! < lo || b[i + 1]! > hi) return 0;
  for (let k = 2; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return n;
}

/**
 * The UTF-8 text of a JSON body. Valid bytes decode as they are; each run of invalid bytes becomes
 * the JSON escape `\udfff\udfff` (two low surrogates: they can never pair into a valid character),
 * so inside a string the field is ill-formed and refused by name, and outside one the JSON is invalid.
 */
export function utf8OrMarked(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const out: number[] = [];
    const mark = [...'\\udfff\\udfff'].map((ch) => ch.charCodeAt(0));
    let inBad = false;
    for (let i = 0; i < bytes.length; ) {
      const n = sequenceLength(bytes, i);
      if (n) {
        for (let k = 0; k < n; k++) out.push(bytes[i + k]!);
        i += n;
        inBad = false;
      } else {
        if (!inBad) out.push(...mark);
        inBad = true;
        i++;
      }
    }
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(new Uint8Array(out));
  }
}
