import { describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import { getJson, loadContent } from './helpers.ts';

describe('GET /api/health', () => {
  it('reports the database reachable and the newest applied migration', async () => {
    const { status, body } = await getJson('/api/health');
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database).toBe('reachable');
    expect(body.migration).toMatch(/^\d{4}_.+\.sql$/);
    expect(body.migrations_applied).toBeGreaterThanOrEqual(3);
  });

  it('reports which content snapshot is loaded', async () => {
    expect((await getJson('/api/health')).body.content_hash).toBeNull();
    await loadContent();
    expect((await getJson('/api/health')).body.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('unknown API paths', () => {
  it('answer a JSON 404 naming the path', async () => {
    const res = await SELF.fetch('http://localhost/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toContain('/api/v1/nothing-here');
  });

  it('answer a JSON 404 for a town that does not exist', async () => {
    await loadContent();
    const { status, body } = await getJson('/api/v1/towns/no-such-town/plan');
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'not_found' });
    expect(body.error.message).toContain('no-such-town');
  });

  it('reject a malformed town id with 400 naming the field', async () => {
    const { status, body } = await getJson('/api/v1/towns/Not_A_Slug/plan');
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.fields[0].path).toBe('town');
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('documents every public route, generated from the zod contracts', async () => {
    const { status, body } = await getJson('/api/v1/openapi.json');
    expect(status).toBe(200);
    const paths = Object.keys(body.paths);
    for (const p of [
      '/jurisdictions',
      '/towns',
      '/towns/{town}/plan',
      '/auth/login',
      '/auth/logout',
      '/me',
      '/me/tasks',
      '/tasks/{task}/updates',
      '/towns/{town}/updates',
      '/updates/{update}/approve',
      '/updates/{update}/reject',
      '/tasks/{task}/history',
      '/towns/{town}/audit',
      '/towns/{town}/progress',
    ]) {
      expect(paths).toContain(p);
    }
    const plan = body.paths['/towns/{town}/plan'].get;
    expect(Object.keys(plan.responses).sort()).toEqual(['200', '400', '404']);
    expect(plan.responses['200'].content['application/json'].schema).toBeTruthy();
  });
});

describe('GET /api/openapi.json and /api/docs', () => {
  it('serves the OpenAPI 3.1 document and a readable reference page listing the update endpoint', async () => {
    const { status, body } = await getJson('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toContain('/tasks/{task}/updates');
    const page = await SELF.fetch('http://localhost/api/docs');
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('/api/v1/tasks/{task}/updates');
    expect(text).toContain('lang="zh-CN"');
    expect(text).not.toContain('<script');
  });
});
