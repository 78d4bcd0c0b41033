import { describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
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

describe('a database whose restore has not finished (npm run import stopped midway)', () => {
  it('is not served: every API route but ping answers 503 restore_incomplete until the restore finishes', async () => {
    await loadContent();
    expect((await getJson('/api/v1/towns/fengmao/plan')).status).toBe(200);
    // What a killed import leaves: the marker row its batches keep moving on (migrations/0011).
    await env.DB.prepare(
      `INSERT INTO restore_progress (id, sha256, file, table_name, table_rows, rows_done, rows_total, started_at, updated_at)
       VALUES (1, ?, '/srv/backups/all.ndjson', 'tasks', 12, 340, 1000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z')`,
    ).bind('a'.repeat(64)).run();
    for (const path of ['/api/v1/towns/fengmao/plan', '/api/health']) {
      const { status, body } = await getJson(path);
      expect(status).toBe(503);
      expect(body.error.code).toBe('restore_incomplete');
      expect(body.error.message).toContain('340/1000');
      expect(body.error.message_en).toContain('npm run import');
      // The operator's file path is not told to the public.
      expect(JSON.stringify(body)).not.toContain('/srv/backups');
    }
    expect((await getJson('/api/v1/ping')).status).toBe(200);
    await env.DB.prepare(`DELETE FROM restore_progress`).run();
    expect((await getJson('/api/v1/towns/fengmao/plan')).status).toBe(200);
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
    expect(Object.keys(plan.responses).sort()).toEqual(['200', '304', '400', '404']);
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
