/** The OpenAPI document at /api/openapi.json and a readable, script-free reference page at /api/docs. */
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { AppEnv } from '../env.ts';

type Doc = { info: { title: string }; paths: Record<string, Record<string, { summary?: string; responses?: Record<string, { description?: string }> }>> };

/** Builds the docs routes from a function that produces the OpenAPI 3.1 document. */
export function docs(document: () => unknown) {
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.json(document() as Record<string, unknown>))
    .get('/docs', (c) => {
      const d = document() as Doc;
      const rows = Object.entries(d.paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(
          ([method, op]) => html`<tr><td><code>${method.toUpperCase()}</code></td><td><code>/api/v1${path}</code></td><td>${op.summary ?? ''}</td><td>${Object.entries(op.responses ?? {})
            .map(([s, r]) => `${s} ${r.description ?? ''}`)
            .join('; ')}</td></tr>`,
        ),
      );
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
      return c.html(
        html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${d.info.title} · 接口说明</title>
<style>body{font:18px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;margin:1rem;color:#1a1a1a}table{border-collapse:collapse;width:100%}td,th{border:1px solid #555;padding:.4rem;text-align:left;vertical-align:top}code{word-break:break-all}</style></head>
<body><main><h1>${d.info.title} · 接口说明</h1><p>机器可读的 OpenAPI 3.1 文档：<a href="/api/openapi.json">/api/openapi.json</a>。错误统一为 <code>{"error":{"code","message","message_en","fields"}}</code>。</p>
<table><thead><tr><th>方法</th><th>路径</th><th>说明</th><th>响应</th></tr></thead><tbody>${raw(rows.join(''))}</tbody></table></main></body></html>`,
      );
    });
}
