/**
 * The console's session: the Bearer token from sign-in, kept in this browser's localStorage only
 * (never in a prop, a cookie or the page source). A 401 from any call clears the token but keeps
 * the account's name, so the sign-in form can say "登录已过期" — and every draft and queued
 * submission stays where it is (they are stored separately, see queue.ts).
 */

/** The signed-in account, as GET /api/v1/me returns it. */
export interface Account {
  id: string;
  username: string;
  display_name: string;
  role: 'reporter' | 'office' | 'supervisor' | 'region_supervisor' | 'admin';
  town_id: string | null;
  unit_id: string | null;
  /** A region supervisor's region (county or city); null otherwise (absent in sessions kept before it existed). */
  region_id?: string | null;
}

export interface Session {
  token: string;
  expires_at: string;
  account: Account;
}

const KEY = 'dtt.console.session';
const LAST = 'dtt.console.last-account';

type Listener = (s: Session | null, reason: 'signin' | 'signout' | 'expired') => void;
const listeners = new Set<Listener>();

/** The current session, or null (also when it has expired by the clock). */
export function getSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s.token || Date.parse(s.expires_at) <= Date.now()) return null;
    return s;
  } catch {
    return null;
  }
}

/** The last account that signed in on this browser (kept after expiry, for the sign-in form). */
export function lastAccount(): Account | null {
  try {
    return JSON.parse(localStorage.getItem(LAST) ?? 'null') as Account | null;
  } catch {
    return null;
  }
}

export function setSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
  localStorage.setItem(LAST, JSON.stringify(s.account));
  listeners.forEach((l) => l(s, 'signin'));
}

/** Ends the session in this browser; `expired` tells the UI to explain why. */
export function clearSession(reason: 'signout' | 'expired'): void {
  localStorage.removeItem(KEY);
  listeners.forEach((l) => l(null, reason));
}

// /console/'s sign-in script (early.js) stores a session itself and says so with this event, in
// case its answer arrives after the app has mounted.
if (typeof window !== 'undefined')
  addEventListener('console:signin', () => {
    const s = getSession();
    if (s) listeners.forEach((l) => l(s, 'signin'));
  });

export function onSession(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
