/**
 * Accounts over years of use, through the real Worker against a real local D1: the office disables,
 * re-enables and resets its reporters' accounts and re-issues activation links, admin does so for
 * anyone; who may not; the account list's state and last sign-in; and the bounds that keep sign-in
 * and the audit log safe to leave running (atomic throttling, IPv6 by /64, capped anonymous rows).
 */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { loadContent } from './helpers.ts';
import { TEST_PASSWORD, api, auditRows, createAccount, login, signedIn } from './auth-helpers.ts';
import { REJECTED_ROWS_PER_ADDRESS_PER_HOUR } from '../../worker/auth/middleware.ts';

const tokenOf = (activationUrl: string): string => /#token=([A-Za-z0-9_-]{43})$/.exec(activationUrl)![1]!;
const act = (token: string, account: string, action: string, town = 'fengmao') => api('POST', `/api/v1/towns/${town}/accounts/${account}/${action}`, { token });
const listed = async (token: string, id: string) => (await api('GET', '/api/v1/towns/fengmao/accounts', { token })).body.accounts.find((a: { id: string }) => a.id === id);
const signInAs = (username: string, password = TEST_PASSWORD) => api('POST', '/api/v1/auth/login', { body: { username, password } });

describe('the office manages its reporters’ accounts', () => {
  it('disables a reporter: every session ends at once, sign-in is refused with a clear message; re-enabled, the old password works again', async () => {
    await loadContent();
    const office = await signedIn('office');
    const reporter = await signedIn('reporter');
    const second = await login(reporter.username);

    const off = await act(office.token, reporter.id, 'disable');
    expect(off.status).toBe(200);
    expect(off.body.account).toMatchObject({ id: reporter.id, status: 'disabled' });
    for (const t of [reporter.token, second]) expect((await api('GET', '/api/v1/me', { token: t })).status).toBe(401);
    const refused = await signInAs(reporter.username);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'account_disabled' });
    expect(refused.body.error.message).toContain('已停用');
    // Someone without the password learns nothing about the account's state.
    expect((await signInAs(reporter.username, 'not-the-password')).status).toBe(401);
    expect((await listed(office.token, reporter.id)).status).toBe('disabled');
    expect((await act(office.token, reporter.id, 'disable')).body.error.code).toBe('account_state');

    const on = await act(office.token, reporter.id, 'enable');
    expect(on.status).toBe(200);
    expect(on.body.account.status).toBe('active');
    expect(await login(reporter.username)).toBeTruthy();
    expect((await auditRows('account.disable')).map((r) => [r.actor, r.entity_id])).toEqual([[office.id, reporter.id]]);
    expect((await auditRows('account.enable')).map((r) => [r.actor, r.entity_id])).toEqual([[office.id, reporter.id]]);
  });

  it('resets a reporter who forgot the password: the old password and sessions end, the new one-time link sets a new one', async () => {
    await loadContent();
    const office = await signedIn('office');
    const reporter = await signedIn('reporter');
    const reset = await act(office.token, reporter.id, 'reset');
    expect(reset.status).toBe(200);
    expect(reset.body.account.status).toBe('pending');
    const days = (Date.parse(reset.body.activation_expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    expect((await api('GET', '/api/v1/me', { token: reporter.token })).status).toBe(401);
    expect((await signInAs(reporter.username)).status).toBe(401);

    const token = tokenOf(reset.body.activation_url);
    expect((await api('POST', '/api/v1/auth/activate', { body: { token, password: 'a-brand-new-password' } })).status).toBe(200);
    expect((await api('POST', '/api/v1/auth/activate', { body: { token, password: 'yet-another-password' } })).status).toBe(400);
    const session = await login(reporter.username, 'a-brand-new-password');
    expect((await api('GET', '/api/v1/me', { token: session })).body.id).toBe(reporter.id);
    const row = await listed(office.token, reporter.id);
    expect(row.status).toBe('active');
    expect(Date.now() - Date.parse(row.last_login_at)).toBeLessThan(60_000);
    expect(await auditRows('account.reset')).toEqual([expect.objectContaining({ actor: office.id, entity_id: reporter.id })]);
    // The token is stored only as its hash, and not in the audit row.
    expect(JSON.stringify(await auditRows())).not.toContain(token);
  });

  it('re-issues the link of an account not yet activated: the earlier link stops working, the new one works', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', { token: office.token, body: { username: 'qian-weijian', display_name: '钱卫健', role: 'reporter', unit_id: 'weijiban' } });
    expect(created.status).toBe(201);
    expect(created.body.account.last_login_at).toBeNull();
    const id = created.body.account.id;
    const again = await act(office.token, id, 'reissue');
    expect(again.status).toBe(200);
    expect(again.body.account.status).toBe('pending');
    expect((await api('POST', '/api/v1/auth/activate', { body: { token: tokenOf(created.body.activation_url), password: 'a-good-long-password' } })).status).toBe(400);
    expect((await api('POST', '/api/v1/auth/activate', { body: { token: tokenOf(again.body.activation_url), password: 'a-good-long-password' } })).status).toBe(200);
    // Activated, the account has no link to re-issue: a reset is what it needs.
    const late = await act(office.token, id, 'reissue');
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('account_state');
    expect(late.body.error.message).toContain('正常');
    expect(await auditRows('account.reissue_activation')).toHaveLength(1);
  });
});

describe('who may manage an account', () => {
  it('an office member may not act on itself, another office member, a supervisor, an admin, or another town’s reporter; admin may', async () => {
    await loadContent();
    const office = await signedIn('office');
    const otherOffice = await createAccount('office');
    const supervisor = await createAccount('supervisor');
    const admin = await signedIn('admin');
    for (const target of [office, otherOffice, supervisor]) {
      for (const action of ['disable', 'reset']) {
        const r = await act(office.token, target.id, action);
        expect(r.status, `${action} ${target.role}`).toBe(403);
      }
    }
    // The admin belongs to no town: it is no account of this town.
    expect((await act(office.token, admin.id, 'disable')).status).toBe(404);
    // Another town's accounts: refused before anything is looked up.
    expect((await act(office.token, 'whatever', 'disable', 'othertown')).status).toBe(403);
    expect((await auditRows('auth.denied')).length).toBeGreaterThanOrEqual(7);
    expect(await auditRows('account.disable')).toHaveLength(0);
    expect(await login(otherOffice.username)).toBeTruthy();

    expect((await act(admin.token, otherOffice.id, 'disable')).status).toBe(200);
    expect((await signInAs(otherOffice.username)).status).toBe(403);
    expect((await act(admin.token, otherOffice.id, 'enable')).status).toBe(200);
  });

  it('a reporter or supervisor manages no account (403); an unknown action is 400; an unknown account is 404', async () => {
    await loadContent();
    const reporter = await signedIn('reporter');
    const supervisor = await signedIn('supervisor');
    const office = await signedIn('office');
    const target = await createAccount('reporter');
    expect((await act(reporter.token, target.id, 'disable')).status).toBe(403);
    expect((await act(supervisor.token, target.id, 'disable')).status).toBe(403);
    expect((await act(office.token, target.id, 'delete')).status).toBe(400);
    expect((await act(office.token, 'no-such-account', 'disable')).status).toBe(404);
  });
});

describe('sign-in throttling holds under parallel guesses and rotating IPv6 addresses', () => {
  it('30 wrong passwords at once for one username: at most 5 are checked, the rest answered 429', async () => {
    await loadContent();
    const a = await createAccount('reporter');
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => signInAs(a.username, `wrong-${i}`)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect((await auditRows('auth.login_failed')).length).toBeLessThanOrEqual(5);
  });

  it('an IPv6 client rotating its address within one /64 is one address', async () => {
    await loadContent();
    const a = await createAccount('reporter');
    for (let i = 0; i < 20; i++) {
      const r = await api('POST', '/api/v1/auth/login', { body: { username: `guess-${i}`, password: 'wrong-password' }, headers: { 'CF-Connecting-IP': `2001:db8:1:2::${(i + 1).toString(16)}` } });
      expect(r.status).toBe(401);
    }
    const next = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD }, headers: { 'CF-Connecting-IP': '2001:db8:1:2:aaaa:bbbb:cccc:dddd' } });
    expect(next.status).toBe(429);
    expect(await login(a.username, TEST_PASSWORD, { 'CF-Connecting-IP': '2001:db8:1:3::1' })).toBeTruthy();
  });
});

describe('anonymous failures write a bounded number of audit rows', () => {
  it('60 wrong activation links and 30 throttled sign-ins from one address write at most the per-address cap each', async () => {
    await loadContent();
    const from = { 'CF-Connecting-IP': '198.51.100.23' };
    for (let i = 0; i < 60; i++) {
      const r = await api('POST', '/api/v1/auth/activate', { body: { token: `no-such-token-${String(i).padStart(4, '0')}`, password: 'a-good-long-password' }, headers: from });
      expect(r.status).toBe(400);
    }
    for (let i = 0; i < 50; i++) await api('POST', '/api/v1/auth/login', { body: { username: `nobody-${i}`, password: 'wrong-password' }, headers: from });
    expect((await auditRows('auth.activation_failed')).length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR);
    expect((await auditRows('auth.throttled')).length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR);
    expect((await auditRows('auth.login_failed')).length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR);
    // Another address is still heard.
    await api('POST', '/api/v1/auth/activate', { body: { token: 'no-such-token-elsewhere', password: 'a-good-long-password' }, headers: { 'CF-Connecting-IP': '192.0.2.1' } });
    expect((await auditRows('auth.activation_failed')).length).toBe(REJECTED_ROWS_PER_ADDRESS_PER_HOUR + 1);
  });
});

describe('request bodies and transport', () => {
  it('refuses a 30 MB sign-in body with 413 before reading it, and a streamed one without Content-Length too', async () => {
    const big = new Uint8Array(30 * 1024 * 1024).fill(0x20);
    big.set(new TextEncoder().encode('{"username":"a","password":"'), 0);
    big[big.length - 2] = 0x22;
    big[big.length - 1] = 0x7d;
    big[1000] = 0xff;
    const t0 = Date.now();
    const r = await SELF.fetch('http://localhost/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(big.length) }, body: big });
    expect(r.status).toBe(413);
    expect((await r.json<any>()).error.code).toBe('body_too_large');
    expect(Date.now() - t0).toBeLessThan(2_000);

    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        c.close();
      },
    });
    const s = await SELF.fetch('http://localhost/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(s.status).toBe(413);
  });

  it('sends Strict-Transport-Security on https answers (API and pages), not over http', async () => {
    await loadContent();
    for (const path of ['/api/v1/ping', '/api/v1/towns/fengmao/plan', '/towns/fengmao/', '/']) {
      const https = await SELF.fetch(`https://localhost${path}`, { redirect: 'manual' });
      expect(https.headers.get('strict-transport-security'), path).toMatch(/^max-age=31536000/);
      const http = await SELF.fetch(`http://localhost${path}`, { redirect: 'manual' });
      expect(http.headers.get('strict-transport-security'), path).toBeNull();
    }
  });
});
