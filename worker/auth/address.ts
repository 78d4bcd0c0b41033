/**
 * The client address a rate limit counts by: Cloudflare's `CF-Connecting-IP` (set by the edge, not
 * by the client), IPv4 as it is and IPv6 cut to its /64 (one subscriber usually holds a whole /64,
 * so counting single IPv6 addresses would give one caller billions of allowances). Anything else,
 * or no header, is the one bucket `unknown`.
 */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXTET = /^[0-9a-f]{1,4}$/;

/** The rate-limit bucket of an address header: `a.b.c.d`, `x:x:x:x::/64` or `unknown` (at most 45 characters). */
export function addressBucket(header: string | undefined | null): string {
  const s = (header ?? '').trim().toLowerCase();
  if (s.length > 45) return 'unknown';
  if (IPV4.test(s)) return s;
  if (!s.includes(':')) return 'unknown';
  const halves = s.split('::');
  if (halves.length > 2) return 'unknown';
  const part = (h: string | undefined) => (h ? h.split(':') : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two hextets.
  const last = tail.length ? tail : head;
  if (last.length && IPV4.test(last.at(-1)!)) last.splice(-1, 1, '0', '0');
  const groups = halves.length === 2 ? [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail] : head;
  if (groups.length !== 8 || !groups.every((g) => HEXTET.test(g))) return 'unknown';
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
