/**
 * Accounts and sign-in, through the real Worker against a real local D1: login and /me, the same
 * answer for unknown users and wrong passwords, throttling, logout and expiry, activation links,
 * who may create accounts, no secret stored in clear, and one audit row per write.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PBKDF2_ITERATIONS, sha256Hex } from '../../worker/auth/password.ts';
import { dumpTables, getJson, loadContent, loadTwoTowns } from './helpers.ts';
import { TEST_PASSWORD, api, auditRows, createAccount, login, signedIn } from './auth-helpers.ts';

const tokenOf = (activationUrl: string): string => {
  const m = /^\/console\/activate\/#token=([A-Za-z0-9_-]{43})$/.exec(activationUrl);
  if (!m) throw new Error(`unexpected activation url ${activationUrl}`);
  return m[1]!;
};

describe('POST /api/v1/auth/login and GET /api/v1/me', () => {
  it('signs in and reads the caller back', async () => {
    await loadContent();
    const a = await createAccount('reporter', 'weijiban', { display_name: '王填报' });
    const r = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.body.account).toEqual({ id: a.id, username: a.username, display_name: '王填报', role: 'reporter', town_id: 'fengmao', unit_id: 'weijiban', region_id: null });
    // 12 hours from now
    const ttl = Date.parse(r.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
    expect(r.headers.get('Cache-Control')).toBe('no-store');

    const me = await api('GET', '/api/v1/me', { token: r.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(r.body.account);
  });

  it('with ?include=me_tasks answers with the account’s tasks exactly as GET /me/tasks does, under the same ETag', async () => {
    await loadContent();
    const a = await createAccount('reporter', 'weijiban');
    const plain = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(plain.body.included).toBeUndefined();
    const r = await api('POST', '/api/v1/auth/login?include=me_tasks', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(r.status).toBe(200);
    const mine = await api('GET', '/api/v1/me/tasks', { token: r.body.token });
    expect(mine.body.tasks.length).toBeGreaterThan(0);
    expect(r.body.included.me_tasks.body).toEqual(mine.body);
    expect(r.body.included.me_tasks.etag).toBe(mine.headers.get('etag'));
    // The included ETag revalidates: nothing changed, so no body.
    const again = await api('GET', '/api/v1/me/tasks', { token: r.body.token, headers: { 'If-None-Match': r.body.included.me_tasks.etag } });
    expect(again.status).toBe(304);
    // An admin has no tasks to include; a wrong password gets the same 401 with or without include.
    const admin = await createAccount('admin', null);
    const ra = await api('POST', '/api/v1/auth/login?include=me_tasks', { body: { username: admin.username, password: TEST_PASSWORD } });
    expect(ra.status).toBe(200);
    expect(ra.body.included).toBeUndefined();
    expect((await api('POST', '/api/v1/auth/login?include=me_tasks', { body: { username: a.username, password: 'not-the-password' } })).status).toBe(401);
    // Anything else to include is refused, naming the parameter.
    const bad = await api('POST', '/api/v1/auth/login?include=everything', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.fields)).toContain('include');
  });

  it('with ?include=me_tasks,plan also answers with the town’s plan exactly as GET …/plan does, under the same ETag', async () => {
    await loadContent();
    const a = await createAccount('reporter', 'weijiban');
    const r = await api('POST', '/api/v1/auth/login?include=me_tasks,plan', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(r.status).toBe(200);
    const plan = await api('GET', '/api/v1/towns/fengmao/plan');
    expect(plan.status).toBe(200);
    expect(r.body.included.plan.body).toEqual(plan.body);
    expect(r.body.included.plan.etag).toBe(plan.headers.get('etag'));
    expect(r.body.included.me_tasks.body.tasks.length).toBeGreaterThan(0);
    // The included ETag revalidates the public plan: nothing changed, so no body.
    const again = await api('GET', '/api/v1/towns/fengmao/plan', { headers: { 'If-None-Match': r.body.included.plan.etag } });
    expect(again.status).toBe(304);
    // The plan alone; an admin (no town) gets nothing to include.
    const only = await api('POST', '/api/v1/auth/login?include=plan', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(Object.keys(only.body.included)).toEqual(['plan']);
    const admin = await createAccount('admin', null);
    const ra = await api('POST', '/api/v1/auth/login?include=me_tasks,plan', { body: { username: admin.username, password: TEST_PASSWORD } });
    expect(ra.status).toBe(200);
    expect(ra.body.included).toBeUndefined();
    // One unknown name among known ones is refused, naming the parameter.
    const bad = await api('POST', '/api/v1/auth/login?include=me_tasks,everything', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.fields)).toContain('include');
  });

  it('accepts the username in any case and with surrounding spaces', async () => {
    await loadContent();
    const a = await createAccount('office', null, { username: 'zhang-office' });
    expect(await login('  Zhang-Office ', TEST_PASSWORD)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.username).toBe('zhang-office');
  });

  it('answers /me without a valid session with 401 unauthenticated, in Chinese and English', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: 'Bearer not-a-real-token-at-all-000000000000' }, { Authorization: 'Basic abc' }]) {
      const r = await api('GET', '/api/v1/me', { headers });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(r.body.error.message).toMatch(/登录/);
      expect(r.body.error.message_en).toMatch(/sign in/i);
    }
  });

  it('gives a wrong password and an unknown user the same 401', async () => {
    await loadContent();
    const a = await createAccount('supervisor');
    const wrong = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: 'not-the-password' } });
    const unknown = await api('POST', '/api/v1/auth/login', { body: { username: 'nobody-here', password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(wrong.body.error.message).toBe('用户名或密码不正确。');
    // both failures are audited; the unknown one has no account to name
    const failed = await auditRows('auth.login_failed');
    expect(failed.map((f) => f.actor)).toEqual([a.id, 'anonymous']);
    expect(failed.map((f) => JSON.parse(f.detail_json).reason)).toEqual(['wrong_password', 'unknown_user']);
  });

  it('refuses an account that is not yet activated, with the same 401', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'li-pending', display_name: '李待激活', role: 'supervisor' },
    });
    expect(created.status).toBe(201);
    const r = await api('POST', '/api/v1/auth/login', { body: { username: 'li-pending', password: 'anything-at-all' } });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_credentials');
  });

  it('rejects a body without a password with 400 naming the field', async () => {
    const r = await api('POST', '/api/v1/auth/login', { body: { username: 'someone' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['password']);
  });
});

describe('throttling failed sign-ins', () => {
  it('answers the 6th failure in a row with 429 and Retry-After, and refuses even the right password meanwhile', async () => {
    await loadContent();
    const a = await createAccount('reporter');
    for (let i = 1; i <= 5; i++) {
      const r = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: `wrong-${i}` } });
      expect(r.status, `failure ${i}`).toBe(401);
    }
    const sixth = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: 'wrong-6' } });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('too_many_attempts');
    expect(sixth.body.error.message).toMatch(/分钟后再试/);
    const retry = Number(sixth.headers.get('Retry-After'));
    expect(retry).toBeGreaterThan(800);
    expect(retry).toBeLessThanOrEqual(900);

    const right = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('Retry-After'))).toBeGreaterThan(0);

    const throttled = await auditRows('auth.throttled');
    expect(throttled).toHaveLength(2);
    expect(throttled[0]).toMatchObject({ actor: a.id, entity: 'address' });
    expect(JSON.parse(throttled[0]!.detail_json)).toMatchObject({ scope: 'user', username: a.username, account: a.id });

    // once the failures are older than 15 minutes, the right password works again
    await env.DB.prepare(`UPDATE login_attempts SET at = '2000-01-01T00:00:00.000Z'`).run();
    expect(await login(a.username)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('counts failures per username only since the last successful sign-in', async () => {
    await loadContent();
    const a = await createAccount('office');
    for (let i = 0; i < 4; i++) await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: 'wrong-password' } });
    await login(a.username);
    for (let i = 0; i < 4; i++) {
      expect((await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: 'wrong-password' } })).status).toBe(401);
    }
    expect(await login(a.username)).toBeTruthy();
  });

  it('throttles an address after 20 failures across usernames, but not other addresses', async () => {
    await loadContent();
    const a = await createAccount('reporter');
    const from = (ip: string) => ({ 'CF-Connecting-IP': ip });
    for (let i = 0; i < 20; i++) {
      const r = await api('POST', '/api/v1/auth/login', { body: { username: `guess-${i}`, password: 'wrong-password' }, headers: from('203.0.113.7') });
      expect(r.status).toBe(401);
    }
    const blocked = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD }, headers: from('203.0.113.7') });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(JSON.parse((await auditRows('auth.throttled'))[0]!.detail_json)).toMatchObject({ scope: 'ip', ip: '203.0.113.7' });
    expect(await login(a.username, TEST_PASSWORD, from('198.51.100.1'))).toBeTruthy();
  });
});

describe('sessions end', () => {
  it('on logout: the token is refused afterwards', async () => {
    await loadContent();
    const a = await signedIn('supervisor');
    expect((await api('GET', '/api/v1/me', { token: a.token })).status).toBe(200);
    const out = await api('POST', '/api/v1/auth/logout', { token: a.token });
    expect(out.status).toBe(204);
    expect(out.body).toBeNull();
    expect((await api('GET', '/api/v1/me', { token: a.token })).status).toBe(401);
    expect((await api('POST', '/api/v1/auth/logout', { token: a.token })).status).toBe(401);
  });

  it('logging out one session leaves the account’s other sessions alone', async () => {
    await loadContent();
    const a = await createAccount('office');
    const t1 = await login(a.username);
    const t2 = await login(a.username);
    expect(t1).not.toBe(t2);
    await api('POST', '/api/v1/auth/logout', { token: t1 });
    expect((await api('GET', '/api/v1/me', { token: t1 })).status).toBe(401);
    expect((await api('GET', '/api/v1/me', { token: t2 })).status).toBe(200);
  });

  it('on expiry: a session past its expires_at is refused', async () => {
    await loadContent();
    const a = await signedIn('reporter');
    await env.DB.prepare(`UPDATE sessions SET expires_at = ? WHERE account_id = ?`).bind(new Date(Date.now() - 1000).toISOString(), a.id).run();
    const r = await api('GET', '/api/v1/me', { token: a.token });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    // The refused token is an authentication event; a request without credentials is not.
    // It is recorded by a fingerprint (the first 8 bytes of the token's SHA-256, which is how sessions
    // are stored), never the token itself.
    const fingerprint = (await sha256Hex(a.token)).slice(0, 16);
    expect(await auditRows('auth.session_rejected')).toEqual([
      expect.objectContaining({ actor: 'anonymous', entity: 'address', entity_id: 'unknown', detail_json: JSON.stringify({ method: 'GET', route: '/api/v1/me', fingerprint }) }),
    ]);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM sessions WHERE substr(token_hash, 1, 16) = ?`).bind(fingerprint).first<{ n: number }>())!.n).toBe(1);
    expect((await api('GET', '/api/v1/me')).status).toBe(401);
    expect(await auditRows('auth.session_rejected')).toHaveLength(1);
  });

  it('when the account is disabled', async () => {
    await loadContent();
    const a = await signedIn('reporter');
    await env.DB.prepare(`UPDATE accounts SET status = 'disabled' WHERE id = ?`).bind(a.id).run();
    expect((await api('GET', '/api/v1/me', { token: a.token })).status).toBe(401);
    const right = await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: TEST_PASSWORD } });
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('account_disabled');
    expect((await api('POST', '/api/v1/auth/login', { body: { username: a.username, password: 'wrong-password' } })).status).toBe(401);
  });
});

describe('activation links', () => {
  it('set the password once: too short is 400 naming password, then it works, then it is used up', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'zhao-minzheng', display_name: '赵民政', role: 'reporter', unit_id: 'minzhengban' },
    });
    expect(created.status).toBe(201);
    const token = tokenOf(created.body.activation_url);
    const days = (Date.parse(created.body.activation_expires_at) - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const short = await api('POST', '/api/v1/auth/activate', { body: { token, password: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('validation_failed');
    expect(short.body.error.fields).toEqual([expect.objectContaining({ path: 'password' })]);
    expect(short.body.error.fields[0].message).toMatch(/密码至少需要 10 个字符/);

    const ok = await api('POST', '/api/v1/auth/activate', { body: { token, password: 'a-good-long-password' } });
    expect(ok.status).toBe(200);
    expect(ok.body.account).toMatchObject({ username: 'zhao-minzheng', role: 'reporter', town_id: 'fengmao', unit_id: 'minzhengban' });
    const session = await login('zhao-minzheng', 'a-good-long-password');
    expect((await api('GET', '/api/v1/me', { token: session })).body.unit_id).toBe('minzhengban');

    const again = await api('POST', '/api/v1/auth/activate', { body: { token, password: 'another-long-password' } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('activation_invalid');
    expect(await auditRows('auth.activate')).toHaveLength(1);
    expect(await auditRows('auth.activation_failed')).toEqual([expect.objectContaining({ actor: 'anonymous', entity: 'address' })]);
    // the first password still stands
    expect(await login('zhao-minzheng', 'a-good-long-password')).toBeTruthy();

    const row = await env.DB.prepare(`SELECT password_iterations, status FROM accounts WHERE username = 'zhao-minzheng'`).first();
    expect(row).toEqual({ password_iterations: PBKDF2_ITERATIONS, status: 'active' });
  });

  it('expire after 7 days', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'late-user', display_name: '迟到', role: 'supervisor' },
    });
    await env.DB.prepare(`UPDATE activation_tokens SET expires_at = '2000-01-01T00:00:00.000Z'`).run();
    const r = await api('POST', '/api/v1/auth/activate', { body: { token: tokenOf(created.body.activation_url), password: 'a-good-long-password' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('activation_invalid');
  });
});

describe('activation races', () => {
  it('the same link used twice at once activates once, with one password and one audit row', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'race-user', display_name: '并发', role: 'supervisor' },
    });
    const token = tokenOf(created.body.activation_url);
    const [a, b] = await Promise.all([
      api('POST', '/api/v1/auth/activate', { body: { token, password: 'first-long-password' } }),
      api('POST', '/api/v1/auth/activate', { body: { token, password: 'second-long-password' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    const winner = a.status === 200 ? 'first-long-password' : 'second-long-password';
    expect(await login('race-user', winner)).toBeTruthy();
    expect(await auditRows('auth.activate')).toHaveLength(1);
    expect(await auditRows('auth.activation_failed')).toHaveLength(1);
  });
});

describe('who may create accounts', () => {
  it('the office creates a reporter for a unit of its own town, but not for another town (403)', async () => {
    await loadTwoTowns();
    const office = await signedIn('office', 'weijiban');
    const mine = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'Sun-Caizheng', display_name: ' 孙财政 ', role: 'reporter', unit_id: 'caizhengsuo' },
    });
    expect(mine.status).toBe(201);
    expect(mine.body.account).toMatchObject({
      username: 'sun-caizheng',
      display_name: '孙财政',
      role: 'reporter',
      town_id: 'fengmao',
      unit_id: 'caizhengsuo',
      status: 'pending',
      created_by: office.id,
    });

    const theirs = await api('POST', '/api/v1/towns/othertown/accounts', {
      token: office.token,
      body: { username: 'qian-caizheng', display_name: '钱财政', role: 'reporter', unit_id: 'caizhengsuo' },
    });
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe('forbidden');
    const denied = await auditRows('auth.denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ actor: office.id, town_id: 'othertown' });
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM accounts WHERE username = 'qian-caizheng'`).first())!.n).toBe(0);
  });

  it('a reporter may not create accounts: 403 and an auth.denied audit row', async () => {
    await loadContent();
    const reporter = await signedIn('reporter', 'weijiban');
    const r = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: reporter.token,
      body: { username: 'sneaky', display_name: '越权', role: 'office' },
    });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'forbidden', message: '没有权限执行此操作。' });
    const denied = await auditRows('auth.denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ actor: reporter.id, town_id: 'fengmao', unit_id: 'weijiban' });
    expect(JSON.parse(denied[0]!.detail_json)).toMatchObject({ method: 'POST', path: '/api/v1/towns/fengmao/accounts', role: 'reporter' });
    expect((await api('GET', '/api/v1/towns/fengmao/accounts', { token: reporter.token })).status).toBe(403);
  });

  it('without a session: 401, and nothing is created', async () => {
    await loadContent();
    const r = await api('POST', '/api/v1/towns/fengmao/accounts', { body: { username: 'anon-made', display_name: '匿名', role: 'office' } });
    expect(r.status).toBe(401);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM accounts`).first())!.n).toBe(0);
  });

  it('admin creates an office account in any town; an unknown town is 404', async () => {
    await loadTwoTowns();
    const admin = await signedIn('admin');
    expect(admin.town_id).toBeNull();
    const r = await api('POST', '/api/v1/towns/othertown/accounts', { token: admin.token, body: { username: 'other-office', display_name: '另一镇办公室', role: 'office' } });
    expect(r.status).toBe(201);
    expect(r.body.account).toMatchObject({ town_id: 'othertown', role: 'office', unit_id: null });
    const none = await api('POST', '/api/v1/towns/no-such-town/accounts', { token: admin.token, body: { username: 'x-office', display_name: 'X', role: 'office' } });
    expect(none.status).toBe(404);
  });

  it('rejects a reporter without a unit, an unknown unit, the admin role, and a taken username', async () => {
    await loadContent();
    const office = await signedIn('office');
    const post = (body: object) => api('POST', '/api/v1/towns/fengmao/accounts', { token: office.token, body });
    const noUnit = await post({ username: 'no-unit', display_name: '无单位', role: 'reporter' });
    expect(noUnit.status).toBe(400);
    expect(noUnit.body.error.fields[0].path).toBe('unit_id');
    const badUnit = await post({ username: 'bad-unit', display_name: '错单位', role: 'reporter', unit_id: 'no-such-unit' });
    expect(badUnit.status).toBe(400);
    expect(badUnit.body.error.fields[0].path).toBe('unit_id');
    const admin = await post({ username: 'new-admin', display_name: '管理员', role: 'admin' });
    expect(admin.status).toBe(400);
    expect(admin.body.error.fields[0].path).toBe('role');
    const badName = await post({ username: 'X', display_name: '短', role: 'office' });
    expect(badName.status).toBe(400);
    expect(badName.body.error.fields[0].path).toBe('username');
    const taken = await post({ username: office.username, display_name: '重名', role: 'office' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('username_taken');
  });

  it('the office lists its town’s accounts without secrets; a supervisor may not', async () => {
    await loadContent();
    const office = await signedIn('office');
    const supervisor = await signedIn('supervisor');
    await createAccount('reporter', 'minzhengban');
    const r = await api('GET', '/api/v1/towns/fengmao/accounts', { token: office.token });
    expect(r.status).toBe(200);
    expect(r.body.accounts.map((a: { role: string }) => a.role)).toEqual(['office', 'supervisor', 'reporter']);
    for (const a of r.body.accounts) {
      expect(Object.keys(a).sort()).toEqual(['created_at', 'created_by', 'display_name', 'id', 'last_login_at', 'region_id', 'role', 'status', 'town_id', 'unit_id', 'username']);
    }
    expect((await api('GET', '/api/v1/towns/fengmao/accounts', { token: supervisor.token })).status).toBe(403);
  });
});

describe('secrets', () => {
  it('tokens and passwords appear nowhere in the database in clear', async () => {
    await loadContent();
    const office = await signedIn('office');
    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token: office.token,
      body: { username: 'zhou-weiji', display_name: '周卫计', role: 'reporter', unit_id: 'weijiban' },
    });
    const activation = tokenOf(created.body.activation_url);
    const password = 'zhou-secret-password-42';
    expect((await api('POST', '/api/v1/auth/activate', { body: { token: activation, password } })).status).toBe(200);
    const session = await login('zhou-weiji', password);
    await api('POST', '/api/v1/auth/login', { body: { username: 'zhou-weiji', password: 'wrong-guess-password' } });

    const dump = JSON.stringify(await dumpTables());
    for (const secret of [office.token, activation, session, password, TEST_PASSWORD, 'wrong-guess-password']) {
      expect(dump.includes(secret), `found ${secret} in the database`).toBe(false);
    }
    const hashes = await env.DB.prepare(`SELECT token_hash FROM sessions UNION ALL SELECT token_hash FROM activation_tokens`).all<{ token_hash: string }>();
    for (const h of hashes.results) expect(h.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('audit', () => {
  it('every successful write produced exactly one audit row with the right action', async () => {
    await loadContent();
    const office = await createAccount('office');
    const before = (await auditRows()).length;
    const count = async () => (await auditRows()).length;

    const token = await login(office.username);
    expect(await count()).toBe(before + 1);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'auth.login', actor: office.id, town_id: 'fengmao', entity_id: office.id });

    const created = await api('POST', '/api/v1/towns/fengmao/accounts', {
      token,
      body: { username: 'wu-minzheng', display_name: '吴民政', role: 'reporter', unit_id: 'minzhengban' },
    });
    expect(await count()).toBe(before + 2);
    expect((await auditRows()).at(-1)).toMatchObject({
      action: 'account.create',
      actor: office.id,
      town_id: 'fengmao',
      unit_id: 'minzhengban',
      entity: 'account',
      entity_id: created.body.account.id,
    });

    await api('POST', '/api/v1/auth/activate', { body: { token: tokenOf(created.body.activation_url), password: 'wu-long-password' } });
    expect(await count()).toBe(before + 3);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'auth.activate', actor: created.body.account.id });

    await api('POST', '/api/v1/auth/logout', { token });
    expect(await count()).toBe(before + 4);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'auth.logout', actor: office.id });

    // reads write nothing
    const wu = await login('wu-minzheng', 'wu-long-password');
    const n = await count();
    await api('GET', '/api/v1/me', { token: wu });
    await api('GET', '/api/v1/towns/fengmao/accounts', { token: await login(office.username) });
    expect(await count()).toBe(n + 1); // only the second login
    expect((await auditRows()).filter((r) => r.action === 'auth.login')).toHaveLength(3);
  });
});

describe('OpenAPI', () => {
  it('documents the auth routes with the bearer scheme', async () => {
    const { status, body } = await getJson('/api/v1/openapi.json');
    expect(status).toBe(200);
    for (const p of ['/auth/login', '/auth/logout', '/auth/activate', '/me', '/towns/{town}/accounts']) expect(body.paths[p], p).toBeTruthy();
    expect(Object.keys(body.paths['/auth/login'].post.responses).sort()).toEqual(['200', '400', '401', '403', '413', '415', '429']);
    expect(body.paths['/auth/login'].post.responses['429'].headers['Retry-After']).toBeTruthy();
    expect(body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
