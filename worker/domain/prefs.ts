/**
 * Reading settings of the public site (适老化): large text and high contrast, kept in one
 * cookie so they persist across pages without an account and without script. Pure functions.
 */

/** The cookie that carries the settings, e.g. "text-large.contrast-high". */
export const PREFS_COOKIE = 'reading';

/** The settings a reader can choose; each maps to a class on <html> (site/styles/global.css). */
export const PREF_CLASSES = ['text-large', 'contrast-high'] as const;
export type PrefClass = (typeof PREF_CLASSES)[number];

/** The classes named by a Cookie header (unknown values are ignored). */
export function prefsFromCookie(header: string | null | undefined): PrefClass[] {
  const raw = (header ?? '')
    .split(';')
    .map((p) => p.trim())
    .find((p) => p.startsWith(`${PREFS_COOKIE}=`))
    ?.slice(PREFS_COOKIE.length + 1);
  if (!raw) return [];
  const set = new Set(raw.split('.'));
  return PREF_CLASSES.filter((c) => set.has(c));
}

/** Applies a change (text=large|normal, contrast=high|normal) to the current classes. */
export function applyPrefs(current: PrefClass[], change: { text?: 'large' | 'normal'; contrast?: 'high' | 'normal' }): PrefClass[] {
  const set = new Set(current);
  if (change.text) change.text === 'large' ? set.add('text-large') : set.delete('text-large');
  if (change.contrast) change.contrast === 'high' ? set.add('contrast-high') : set.delete('contrast-high');
  return PREF_CLASSES.filter((c) => set.has(c));
}

/**
 * Where to send the reader back: a path on this site only, else the home page. The value is
 * parsed the way a browser parses a Location (WHATWG URL: tabs and newlines dropped, `\` read as
 * `/`), and only a same-origin result is kept, re-serialised, so nothing a browser could read as
 * another host (`//evil`, `/\evil`, `/\t/evil`) ever goes out.
 */
export function safeReturn(path: string | undefined): string {
  if (!path || !path.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(path)) return '/';
  const base = 'https://this-site.invalid';
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    return '/';
  }
  const out = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== base || !out.startsWith('/') || out.startsWith('//')) return '/';
  return out;
}
