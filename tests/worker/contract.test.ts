/**
 * The contract for every caller, beyond the matrix: forged credentials cannot grow the audit log
 * beyond a stated bound; text that is not Unicode is refused by name while NUL, RTL and zero-width
 * characters are kept as typed; every field message is the project's Chinese and English wording.
 */
import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { REJECTED_ROWS_PER_ADDRESS_PER_HOUR, REJECTED_ROWS_PER_HOUR } from '../../worker/auth/middleware.ts';
import { addressBucket } from '../../worker/auth/address.ts';
import { loadContent } from './helpers.ts';
import { api, auditRows, signedIn } from './auth-helpers.ts';

/** A bearer token of `bytes` random URL-safe characters: shaped like a token, opening nothing. */
function forgedToken(bytes: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const r = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(r, (b) => alphabet[b & 63]).join('');
}

/** The whole audit row as stored, in bytes of UTF-8. */
const rowBytes = (row: Record<string, unknown>) => new TextEncoder().encode(Object.values(row).map((v) => String(v ?? '')).join('')).length;

/** Every row of a fixed size: none bigger than this, whatever the caller sent. */
const MAX_ROW_BYTES = 512;

/** Anonymous requests a caller might send with a forged token (some malformed on purpose). */
const TARGETS: { method: string; path: string; body?: string; type?: string }[] = [
  { method: 'GET', path: '/api/v1/me' },
  { method: 'POST', path: '/api/v1/towns/fengmao/accounts/no-such-account/disable' },
  { method: 'POST', path: '/api/v1/updates/upd_x/approve', body: '{}', type: 'application/json' },
  { method: 'POST', path: '/api/v1/tasks/fengmao:x/updates', body: '{', type: 'application/json' },
  { method: 'GET', path: `/api/v1/towns/${'t'.repeat(2_000)}/audit` },
  { method: 'POST', path: '/api/v1/towns/fengmao/bulletins', body: 'x', type: 'text/plain' },
];

describe('forged credentials cannot grow the audit log for free', () => {
  it(`1,000 anonymous requests with forged 60 KB tokens from one address add at most ${REJECTED_ROWS_PER_ADDRESS_PER_HOUR} audit rows, none over ${MAX_ROW_BYTES} bytes`, async () => {
    await loadContent();
    const before = (await auditRows()).length;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1_000; i++) {
      const t = TARGETS[i % TARGETS.length]!;
      const headers: Record<string, string> = { Authorization: `Bearer ${forgedToken(60_000)}`, 'CF-Connecting-IP': '203.0.113.7' };
      if (t.type) headers['Content-Type'] = t.type;
      const res = await SELF.fetch(`http://localhost${t.path}`, { method: t.method, headers, body: t.body });
      const body = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // Cheap, and the same small answer whatever was sent.
      expect(body.length, body.slice(0, 200)).toBeLessThan(300);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 1_000 });
    const rows = await auditRows();
    const added = rows.slice(before);
    expect(added.length).toBeGreaterThan(0);
    expect(added.length).toBeLessThanOrEqual(REJECTED_ROWS_PER_ADDRESS_PER_HOUR);
    for (const r of added) {
      expect(r).toMatchObject({ actor: 'anonymous', action: 'auth.session_rejected', entity: 'address', entity_id: '203.0.113.7' });
      expect(rowBytes(r), r.detail_json).toBeLessThanOrEqual(MAX_ROW_BYTES);
      expect(Object.keys(JSON.parse(r.detail_json))).toEqual(['method', 'route', 'fingerprint']);
      expect(JSON.parse(r.detail_json).fingerprint).toMatch(/^[0-9a-f]{16}$/);
    }
    // The route is the app's own pattern, never the path the caller chose.
    expect(added.map((r) => JSON.parse(r.detail_json).route)).toContain('/api/v1/towns/:town/audit');
  }, 300_000);

  it(`many addresses together add at most ${REJECTED_ROWS_PER_HOUR} rows an hour, and one IPv6 /64 counts as one address`, async () => {
    await loadContent();
    const send = (ip: string) => SELF.fetch('http://localhost/api/v1/me', { headers: { Authorization: `Bearer ${forgedToken(64)}`, 'CF-Connecting-IP': ip } }).then((r) => r.text());
    // 30 addresses of one /64: one bucket.
    for (let i = 0; i < 30; i++) await send(`2001:db8:1:2::${(i + 1).toString(16)}`);
    const v6 = await auditRows('auth.session_rejected');
    expect(v6.length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR);
    expect(new Set(v6.map((r) => r.entity_id))).toEqual(new Set(['2001:db8:1:2::/64']));
    // Then one request from each of many IPv4 addresses: the hourly total stops them.
    for (let i = 0; i < REJECTED_ROWS_PER_HOUR + 20; i++) await send(`198.51.${i >> 8}.${i & 255}`);
    expect((await auditRows('auth.session_rejected')).length).toBe(REJECTED_ROWS_PER_HOUR);
  }, 300_000);

  it('rows older than an hour no longer count against an address', async () => {
    await loadContent();
    const send = () => SELF.fetch('http://localhost/api/v1/me', { headers: { Authorization: `Bearer ${forgedToken(64)}`, 'CF-Connecting-IP': '192.0.2.1' } }).then((r) => r.text());
    const old = new Date(Date.now() - 61 * 60 * 1000).toISOString();
    for (let i = 0; i < REJECTED_ROWS_PER_ADDRESS_PER_HOUR; i++) {
      await env.DB.prepare(`INSERT INTO audit_log (at, actor, action, entity, entity_id, detail_json) VALUES (?, 'anonymous', 'auth.session_rejected', 'address', '192.0.2.1', '{}')`).bind(old).run();
    }
    await send();
    expect((await auditRows('auth.session_rejected')).length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR + 1);
  });

  it('a request with no credentials at all is answered 401 and not logged', async () => {
    await loadContent();
    for (let i = 0; i < 20; i++) expect((await api('POST', '/api/v1/updates/x/approve', { body: {} })).status).toBe(401);
    expect(await auditRows()).toEqual((await auditRows()).filter((r) => r.action === 'content.load'));
  });

  it('address buckets: IPv4 as is, IPv6 by its /64, anything else one bucket', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket(' 2001:DB8:0:0:1::5 ')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::ffff:192.0.2.1')).toBe('0:0:0:0::/64');
    expect(addressBucket('::')).toBe('0:0:0:0::/64');
    for (const junk of [undefined, '', 'localhost', '999.1.1.1', '1.2.3', '1::2::3', 'x'.repeat(100), '2001:db8:::1', '12345::1']) expect(addressBucket(junk)).toBe('unknown');
  });
});

// ---------------------------------------------------------------- Unicode

async function reporterAndTask() {
  await loadContent();
  const task = await env.DB.prepare(
    `SELECT t.id, t.version FROM tasks t JOIN task_units tu ON tu.town_id = t.town_id AND tu.task_id = t.id
      WHERE t.town_id = 'fengmao' AND tu.unit_id = 'weijiban' AND t.kind = 'deliverable' ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string; version: number }>();
  const reporter = await signedIn('reporter', 'weijiban');
  return { token: reporter.token, ref: `fengmao:${task!.id}`, version: task!.version };
}
const submit = (t: Awaited<ReturnType<typeof reporterAndTask>>, body: string | Uint8Array) =>
  SELF.fetch(`http://localhost/api/v1/tasks/${t.ref}/updates`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${t.token}`, 'Content-Type': 'application/json', 'Idempotency-Key': `unicode-${crypto.randomUUID()}`, 'If-Match': `"${t.version}"` },
    body,
  });
const countUpdates = async () => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM task_updates`).first<{ n: number }>())!.n;

describe('text must be Unicode', () => {
  it('refuses a lone surrogate in any text field with 400 naming the field, and stores nothing', async () => {
    const t = await reporterAndTask();
    const cases: [string, (s: string) => unknown][] = [
      ['narrative', (s) => ({ status: 'in_progress', percent: 10, narrative: `已完成${s}一半` })],
      ['evidence.0.title', (s) => ({ status: 'in_progress', percent: 10, narrative: '正常', evidence: [{ url: 'https://example.gov.cn/a', title: s }] })],
    ];
    for (const [field, body] of cases) {
      for (const s of ['\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00\uD800']) {
        const res = await submit(t, JSON.stringify(body(s)));
        const answer = (await res.json()) as any;
        expect(res.status, JSON.stringify(answer)).toBe(400);
        expect(answer.error.code).toBe('validation_failed');
        expect(answer.error.fields).toEqual([{ path: field, message: expect.stringMatching(/无效的字符编码/), message_en: expect.stringMatching(/not valid Unicode/) }]);
      }
    }
    expect(await countUpdates()).toBe(0);
  });

  it('refuses invalid UTF-8 bytes inside a string with 400 naming the field, and outside one as a malformed body', async () => {
    const t = await reporterAndTask();
    const enc = new TextEncoder();
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      const bytes = new Uint8Array([...enc.encode('{"status":"in_progress","percent":10,"narrative":"已完成'), ...bad, ...enc.encode('一半"}')]);
      const res = await submit(t, bytes);
      const answer = (await res.json()) as any;
      expect(res.status, JSON.stringify(answer)).toBe(400);
      expect(answer.error.fields.map((f: any) => f.path)).toEqual(['narrative']);
    }
    const outside = await submit(t, new Uint8Array([...enc.encode('{"status":"in_progress",'), 0xff, ...enc.encode('"percent":10,"narrative":"x"}')]));
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as any).error.code).toBe('malformed_body');
    expect(await countUpdates()).toBe(0);
  });

  it('stores NUL, RTL, zero-width and a typed U+FFFD exactly as typed, and answers them as typed', async () => {
    const t = await reporterAndTask();
    const narrative = 'a\u0000b \u202Egnp.exe\u202C \u200B\u200C\u200D\u2060\uFEFF 替换符\uFFFD 表情😀 \u0001';
    const res = await submit(t, JSON.stringify({ status: 'in_progress', percent: 10, narrative }));
    const answer = (await res.json()) as any;
    expect(res.status, JSON.stringify(answer)).toBe(201);
    expect(answer.narrative).toBe(narrative);
    const stored = await env.DB.prepare(`SELECT narrative FROM task_updates WHERE id = ?`).bind(answer.id).first<{ narrative: string }>();
    expect(stored!.narrative).toBe(narrative);
    const history = await api('GET', `/api/v1/tasks/${t.ref}/history`, { token: t.token });
    expect(history.body.updates.find((u: any) => u.id === answer.id).narrative).toBe(narrative);
  });
});

// ---------------------------------------------------------------- wording

/** zod's own English phrases (v4 defaults): none may reach a reader. */
const ZOD_ENGLISH = /Invalid input|expected \w+, received|Too (small|big)|Invalid (string|option|format|type)|Unrecognized key|must match pattern|Invalid element/i;

describe('every message a person reads is Chinese and English, never a library message', () => {
  it('a missing or malformed header, a bad path parameter, a bad query and a bad body field each get the project wording', async () => {
    const t = await reporterAndTask();
    const office = await signedIn('office');
    const calls = [
      // Idempotency-Key missing, then too short.
      api('POST', `/api/v1/tasks/${t.ref}/updates`, { token: t.token, body: { status: 'in_progress', percent: 1, narrative: 'x' }, headers: { 'If-Match': `"${t.version}"` } }),
      api('POST', `/api/v1/tasks/${t.ref}/updates`, { token: t.token, body: { status: 'in_progress', percent: 1, narrative: 'x' }, headers: { 'If-Match': `"${t.version}"`, 'Idempotency-Key': 'short' } }),
      // A path parameter that is no slug, a query out of range, a date that does not exist.
      api('GET', '/api/v1/towns/NOT%20A%20SLUG/plan'),
      api('GET', '/api/v1/me/updates?limit=0', { token: t.token }),
      api('GET', '/api/v1/towns/fengmao/overdue?asOf=2019-02-30', { token: office.token }),
      // Body: wrong types, an unknown key, a value outside its enum.
      api('POST', `/api/v1/tasks/${t.ref}/updates`, { token: t.token, body: { status: 'sleeping', percent: '10', narrative: 5, extra: 1 }, headers: { 'If-Match': `"${t.version}"`, 'Idempotency-Key': `wording-${crypto.randomUUID()}` } }),
    ];
    const answers = await Promise.all(calls);
    const seen = new Set<string>();
    for (const a of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(400);
      expect(a.body.error.code).toBe('validation_failed');
      expect(a.body.error.message).toMatch(/[\u4e00-\u9fff]/);
      for (const f of a.body.error.fields) {
        seen.add(f.path);
        expect(f.message, JSON.stringify(f)).toMatch(/[\u4e00-\u9fff]/);
        expect(f.message_en, JSON.stringify(f)).toMatch(/[a-z]/);
        expect(`${f.message} ${f.message_en}`, JSON.stringify(f)).not.toMatch(ZOD_ENGLISH);
      }
    }
    expect(answers[0]!.body.error.fields).toEqual([{ path: 'idempotency-key', message: '必填', message_en: 'required' }]);
    expect(answers[1]!.body.error.fields).toEqual([{ path: 'idempotency-key', message: '至少8个字符', message_en: 'must have at least 8 characters' }]);
    expect(answers[3]!.body.error.fields).toEqual([{ path: 'limit', message: '不能小于 1', message_en: 'must be at least 1' }]);
    expect([...seen]).toEqual(expect.arrayContaining(['town', 'limit', 'asOf', 'status', 'percent', 'narrative']));
  });
});
