/**
 * The OpenAPI document is a contract for clients: it must be valid OpenAPI 3.1 (checked against the
 * official JSON schema by @seriousme/openapi-schema-validator — in Node, because the validator
 * compiles schemas with `new Function`, which workerd forbids) and list every endpoint the app serves.
 */
import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { app } from '../../worker/app.ts';

/** The document exactly as GET /api/openapi.json serves it. */
async function served(): Promise<any> {
  const res = await app.request('/api/openapi.json');
  expect(res.status).toBe(200);
  return res.json();
}

describe('GET /api/openapi.json', () => {
  it('validates as OpenAPI 3.1', async () => {
    const doc = await served();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const res = await validator.validate(doc);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    // The validator is strict enough to notice a broken document.
    const broken = structuredClone(doc);
    delete broken.info;
    broken.paths['/towns'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('documents every /api/v1 route the app serves, with its method', async () => {
    const doc = await served();
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`),
      ),
    );
    const routes = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/')).map((r) => `${r.method} ${r.path}`))];
    // The document does not describe itself.
    const undocumented = routes.filter((r) => !documented.has(r) && r !== 'GET /api/v1/openapi.json');
    expect(undocumented).toEqual([]);
    // The endpoints issue 3 names, spelled out so a renamed route is noticed.
    for (const r of [
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'GET /api/v1/me',
      'GET /api/v1/me/tasks',
      'POST /api/v1/tasks/:task/updates',
      'GET /api/v1/towns/:town/updates',
      'POST /api/v1/updates/:update/approve',
      'POST /api/v1/updates/:update/reject',
      'GET /api/v1/tasks/:task/history',
      'GET /api/v1/towns/:town/audit',
      'GET /api/v1/towns/:town/progress',
    ]) {
      expect(documented, r).toContain(r);
    }
  });

  it('every operation documents its error answers with the one error shape', async () => {
    const doc = await served();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
          if (Number(status) < 400) continue;
          const schema = r.content?.['application/json']?.schema;
          expect(schema, `${method} ${path} ${status}`).toBeDefined();
          const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').at(-1)] : schema;
          expect(resolved.properties?.error?.properties ?? doc.components.schemas[resolved.properties?.error?.$ref?.split('/').at(-1)]?.properties, `${method} ${path} ${status}`).toHaveProperty('code');
        }
      }
    }
  });
});
