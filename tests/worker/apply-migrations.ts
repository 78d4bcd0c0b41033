// Every test starts from an empty database with the real migrations applied: tests build
// their own data and never depend on each other's. reset() deletes all binding data
// (per-file storage is shared between tests otherwise).
// The Worker under test is the built bundle with its own modules, so nothing has extended the
// tests' zod yet: import @hono/zod-openapi first, as worker/app.ts does, before any schema is built.
import '@hono/zod-openapi';
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
