/**
 * The Worker's bindings as on-demand pages read them (`import { env } from 'cloudflare:workers'`,
 * site/lib/town-data.ts). The site is type-checked with the DOM types, not the Workers types,
 * so the module is declared here; the bindings' own types come from worker/env.ts.
 */
declare module 'cloudflare:workers' {
  export const env: unknown;
}
