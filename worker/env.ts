import type { AuthVars } from './auth/context.ts';

/** Bindings the Worker receives (see wrangler.toml). */
export interface Env {
  /** The D1 database: the only store. */
  DB: D1Database;
  /** Evidence files (photos, PDFs) by content hash, `sha256/<hex>`; metadata in D1 (migrations/0020). */
  FILES: R2Bucket;
  /** The built Astro site (dist/), served as static assets. */
  ASSETS: Fetcher;
}

/** Hono generics for every route of this Worker. */
export type AppEnv = { Bindings: Env; Variables: AuthVars };
