import type { AuthVars } from './auth/context.ts';

/** Bindings the Worker receives (see wrangler.toml). */
export interface Env {
  /** The D1 database: the only store. */
  DB: D1Database;
  /** The built Astro site (dist/), served as static assets. */
  ASSETS: Fetcher;
}

/** Hono generics for every route of this Worker. */
export type AppEnv = { Bindings: Env; Variables: AuthVars };
