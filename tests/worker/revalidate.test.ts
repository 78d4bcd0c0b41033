import { beforeEach, describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import { loadContent } from './helpers.ts';
import { signIn } from './auth-helpers.ts';

const get = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`http://localhost${path}`, { headers });
let keyN = 0;

beforeEach(async () => {
  await loadContent();
});

describe('the GETs the console repeats are revalidated, not refetched', () => {
  it('answers the plan with an ETag, and a matching If-None-Match with a bodiless 304', async () => {
    const first = await get('/api/v1/towns/fengmao/plan');
    expect(first.status).toBe(200);
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"[0-9a-f]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect((await first.json()) as object).toHaveProperty('tasks');

    const again = await get('/api/v1/towns/fengmao/plan', { 'if-none-match': tag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(tag);

    const other = await get('/api/v1/towns/fengmao/plan', { 'if-none-match': '"not-this-one"' });
    expect(other.status).toBe(200);
  });

  it("revalidates a reporter's tasks and submissions per account, and a new submission changes both ETags", async () => {
    const token = await signIn('reporter', 'weijiban');
    const auth = { authorization: `Bearer ${token}` };
    const tasks = await get('/api/v1/me/tasks', auth);
    const updates = await get('/api/v1/me/updates', auth);
    expect(tasks.headers.get('cache-control')).toBe('private, no-cache');
    expect(tasks.headers.get('vary')).toContain('Authorization');
    const tTag = tasks.headers.get('etag')!;
    const uTag = updates.headers.get('etag')!;
    const list = ((await tasks.json()) as { tasks: { ref: string }[] }).tasks;
    expect((await get('/api/v1/me/tasks', { ...auth, 'if-none-match': tTag })).status).toBe(304);
    expect((await get('/api/v1/me/updates', { ...auth, 'if-none-match': uTag })).status).toBe(304);

    const sent = await SELF.fetch(`http://localhost/api/v1/tasks/${list[0]!.ref}/updates`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `revalidate-${Date.now()}-${keyN++}`, 'if-match': '"1"' },
      body: JSON.stringify({ status: 'in_progress', percent: 10, narrative: '已开始。' }),
    });
    expect(sent.status).toBe(201);
    const tasks2 = await get('/api/v1/me/tasks', { ...auth, 'if-none-match': tTag });
    const updates2 = await get('/api/v1/me/updates', { ...auth, 'if-none-match': uTag });
    expect(tasks2.status).toBe(200);
    expect(updates2.status).toBe(200);
    expect(tasks2.headers.get('etag')).not.toBe(tTag);
  });

  it('never answers 304 without a session: the 401 comes first', async () => {
    const token = await signIn('reporter', 'weijiban');
    const tag = (await get('/api/v1/me/tasks', { authorization: `Bearer ${token}` })).headers.get('etag')!;
    expect((await get('/api/v1/me/tasks', { 'if-none-match': tag })).status).toBe(401);
  });
});
