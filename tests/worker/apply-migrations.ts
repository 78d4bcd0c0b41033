// Every test starts from an empty database with the real migrations applied: tests build
// their own data and never depend on each other's. reset() deletes all binding data
// (per-file storage is shared between tests otherwise).
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
