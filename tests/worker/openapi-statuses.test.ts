/**
 * Every answer is documented: a property test driven by the served OpenAPI document. For each
 * operation it builds requests from the document itself — path parameters, query, headers and
 * bodies generated from their JSON schemas (fast-check), mixed with known objects, hostile values
 * and valid requests (tests/worker/write-cases.ts) with one part replaced — sent by anonymous
 * callers, forged tokens and every role. Each answer's status must be one the document lists for
 * that operation, never 5xx, and every error must be the one documented error shape. A 200 with an
 * ETag is asked for again with If-None-Match, as a client would, and that answer (304) must be
 * documented as well.
 */
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SELF } from 'cloudflare:test';
import { ErrorBody } from '../../worker/errors.ts';
import { app } from '../../worker/app.ts';
import { CASES, encodeBody, fixture, type Fixture, type Req } from './write-cases.ts';
import { api } from './auth-helpers.ts';

/** Runs per operation (about 45 operations): sized for a couple of minutes on 2 busy cores. */
const RUNS = 40;

type Schema = Record<string, any>;
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };
type Operation = {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, unknown>;
};

/** The document as GET /api/openapi.json serves it (built in-process: it reads no database), so each operation gets its own test. */
const doc = (await (await app.request('/api/openapi.json')).json()) as Doc;
const OPERATIONS = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

// ---------------------------------------------------------------- values from JSON schemas

const resolve = (s: Schema): Schema => (s?.$ref ? resolve(doc.components!.schemas![s.$ref.split('/').at(-1)!]!) : s);

/** Values the schema describes (valid in shape; bounds and patterns honoured where fast-check can). */
function fromSchema(raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = raw ? resolve(raw) : undefined;
  if (!s || depth > 6) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  if (s.allOf) return fromSchema(Object.assign({}, ...(s.allOf as Schema[]).map(resolve)), depth + 1);
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : ['string'];
  if (types.length > 1) return fc.oneof(...types.map((t) => fromSchema({ ...s, type: t }, depth)));
  const min = (d: number) => (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : (s.minimum ?? d));
  const max = (d: number) => (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : (s.maximum ?? d));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Math.max(min(-1000), -1e9), max: Math.min(max(1000), 1e9) });
    case 'number':
      return fc.double({ min: Math.max(min(-1000), -1e9), max: Math.min(max(1000), 1e9), noNaN: true });
    case 'array':
      return fc.array(fromSchema(s.items, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 3)) });
    case 'object': {
      const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
      if (!props.length) return fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 });
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, depth + 1)])), { requiredKeys: (s.required ?? []) as never[] });
    }
    default: {
      if (s.format === 'date') return fc.date({ min: new Date('2017-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (s.format === 'date-time') return fc.date({ min: new Date('2017-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'uri' || s.format === 'url') return fc.webUrl();
      const len = { minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) };
      if (s.pattern) {
        try {
          return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= len.minLength && x.length <= (s.maxLength ?? Infinity));
        } catch {
          /* a pattern fast-check cannot generate from: plain strings below */
        }
      }
      return fc.string({ ...len, maxLength: Math.max(len.minLength, len.maxLength) });
    }
  }
}

// ---------------------------------------------------------------- hostile values

const HOSTILE = ['', ' ', '\u0000', '\uD800', 'x\uDFFF', '\u202Egnp.exe', "'; DROP TABLE tasks; --", '<script>alert(1)</script>', '=HYPERLINK("http://x")', '../../etc/passwd', '%00', '%ff', '%', 'null', 'NaN', '-1', '0', '1e309', '2019-02-30', 'fengmao:', ':', 'x'.repeat(5_000)];
const hostileString = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) });
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(hostileString, fc.constantFrom(null, true, 0, -1, 1e308, 0.5), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }));
/** Header values a client could send (printable ASCII: fetch refuses the rest). */
const hostileHeader = fc.oneof(fc.constantFrom('', 'x', '"1"', '"0"', '"99999999999999999999"', 'W/"1"', '*', 'Bearer', 'k'.repeat(300)), fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }));
const printable = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));
const asHeader = (v: unknown) => printable(v).replace(/[^\x20-\x7e]/g, '').trim();

// ---------------------------------------------------------------- requests

const CALLERS = ['anonymous', 'forged', 'reporter', 'office', 'supervisor', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

interface Known {
  f: Fixture;
  update: string;
  inspection: string;
  draftBulletin: string;
}
/** Objects that exist (and some that do not) for each path parameter name. */
const knownValues = (k: Known): Record<string, string[]> => ({
  town: ['fengmao', 'fengmao', 'othertown'],
  task: [`fengmao:${k.f.task}`, `fengmao:${k.f.task}`, 'fengmao:no-such-task', 'othertown:x'],
  update: [k.update, 'upd_no_such'],
  inspection: [k.inspection, 'ins_no_such'],
  bulletin: [k.f.issuedBulletin, k.draftBulletin, 'bul_no_such'],
});

type Body = { kind: 'json'; value: unknown; type: string | null } | { kind: 'raw'; text: string; type: string | null };
interface Plan {
  caller: Caller;
  params: Record<string, string>;
  query: Record<string, string | null>;
  headers: Record<string, string | null>;
  body: Body | null;
  /** Start from the route's valid request (write routes) and replace one part with the generated one. */
  fromCase: boolean;
  replace: 'caller' | 'params' | 'query' | 'headers' | 'body';
}

/** An arbitrary request plan for one operation, from its documented parameters and body. */
function planFor(op: Operation, known: Record<string, string[]>): fc.Arbitrary<Plan> {
  const params = op.parameters ?? [];
  const of = (where: string) => params.filter((p) => p.in === where);
  const pathArb = fc.record(
    Object.fromEntries(
      of('path').map((p) => [
        p.name,
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(known[p.name] ?? ['x'])) }, { weight: 1, arbitrary: fromSchema(p.schema).map(printable) }, { weight: 1, arbitrary: hostileString }),
      ]),
    ),
  );
  const queryArb = fc.record(Object.fromEntries(of('query').map((p) => [p.name, fc.option(fc.oneof({ weight: 3, arbitrary: fromSchema(p.schema).map(printable) }, { weight: 1, arbitrary: hostileString }), { freq: 2 })])));
  const headerArb = fc.record(
    Object.fromEntries(
      of('header').map((p) => [
        p.name,
        fc.option(
          fc.oneof(
            { weight: 3, arbitrary: p.name === 'if-match' ? fc.constantFrom('"1"', '"2"', '"3"', '"4"') : fromSchema(p.schema).map(asHeader) },
            { weight: 1, arbitrary: hostileHeader },
          ),
          { freq: 4 },
        ),
      ]),
    ),
  );
  const types = Object.keys(op.requestBody?.content ?? {});
  const jsonSchema = op.requestBody?.content['application/json']?.schema;
  const typeArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...(types.length ? types : ['application/json'])) }, { weight: 1, arbitrary: fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded') });
  const bodyArb: fc.Arbitrary<Body | null> = !types.length
    ? fc.constant(null)
    : fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('json' as const), value: jsonSchema ? fromSchema(jsonSchema) : hostileValue, type: typeArb }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('json' as const), value: hostileValue, type: typeArb }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.constantFrom('{', '{"a":', '', '编号,任务内容\r\n1,x\r\n'), fc.string({ unit: 'binary', maxLength: 60 })), type: typeArb }) },
        // Large bodies: a 1–3 MB string field, or as much raw text.
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.integer({ min: 1_000_000, max: 3_000_000 }).map((n) => `{"title":"${'x'.repeat(n)}"}`), type: typeArb }) },
      );
  return fc.record({
    caller: fc.constantFrom(...CALLERS),
    params: pathArb,
    query: queryArb,
    headers: headerArb,
    body: bodyArb,
    fromCase: fc.boolean(),
    replace: fc.constantFrom('caller' as const, 'params' as const, 'query' as const, 'headers' as const, 'body' as const),
  }) as fc.Arbitrary<Plan>;
}

const pct = (s: string) => [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** The request a plan describes: `path` is the document's path under /api/v1. */
function request(path: string, method: string, plan: Plan, tokens: Record<Caller, string | null>, base: Req | null): { url: string; init: RequestInit } {
  const use = (part: Plan['replace']) => !base || plan.replace === part;
  let url = `/api/v1${path.replace(/\{(\w+)\}/g, (_, name: string) => pct(plan.params[name] ?? 'x'))}`;
  if (base && !use('params')) url = base.path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(plan.query)) if (v !== null) q.set(k, v);
  if (use('query') && q.size) url += `${url.includes('?') ? '&' : '?'}${q}`;
  const headers: Record<string, string> = base && !use('headers') ? { ...base.headers } : {};
  if (use('headers')) for (const [k, v] of Object.entries(plan.headers)) if (v !== null) headers[k] = v;
  const token = base && !use('caller') ? base.token : tokens[plan.caller];
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | Uint8Array | undefined;
  if (base && !use('body')) {
    const valid = encodeBody(base);
    body = valid.body;
    if (valid.type) headers['Content-Type'] = valid.type;
  } else if (plan.body) {
    body = plan.body.kind === 'json' ? JSON.stringify(plan.body.value) ?? 'null' : plan.body.text;
    if (plan.body.type) headers['Content-Type'] = plan.body.type;
  }
  return { url: `http://localhost${url}`, init: { method: method.toUpperCase(), headers, body, redirect: 'manual' } };
}

// ---------------------------------------------------------------- the test

const tally = { requests: 0, byStatus: {} as Record<number, number>, operations: 0 };

describe('every status an operation answers is in the OpenAPI document', () => {
  let k: Known;
  let tokens: Record<Caller, string | null>;
  beforeEach(async () => {
    const f = await fixture();
    const ref = `fengmao:${f.task}`;
    const history = await api('GET', `/api/v1/tasks/${ref}/history`, { token: f.reporter });
    const sub = await api('POST', `/api/v1/tasks/${ref}/updates`, {
      token: f.reporter,
      body: { status: 'in_progress', percent: 20, narrative: '文档测试' },
      headers: { 'Idempotency-Key': `doc-${crypto.randomUUID()}`, 'If-Match': `"${history.body.version}"` },
    });
    const ins = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: f.supervisor,
      body: { inspected_on: '2019-03-15', title: '检查', inspectors: ['张某'], units: ['weijiban'], findings: [], rectifications: [] },
      headers: { 'Idempotency-Key': `doc-${crypto.randomUUID()}` },
    });
    const draft = await api('POST', '/api/v1/towns/fengmao/bulletins', { token: f.supervisor, body: { period_from: '2019-01-01', period_to: '2019-03-31' }, headers: { 'Idempotency-Key': `doc-${crypto.randomUUID()}` } });
    for (const r of [sub, ins, draft]) expect(r.status, JSON.stringify(r.body)).toBe(201);
    k = { f, update: sub.body.id, inspection: ins.body.id, draftBulletin: draft.body.id };
    tokens = { anonymous: null, forged: 'forged-token-that-opens-nothing-000000', reporter: f.reporter, office: f.office, supervisor: f.supervisor, admin: f.admin };
  });

  it('the document lists the operations the app serves', () => {
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(40);
  });

  for (const { path, method, op } of OPERATIONS) {
    const documented = Object.keys(op.responses).map(Number);
    it(`${method.toUpperCase()} ${path}: ${RUNS} requests from the document, each answered with a documented status (${documented.join(', ')})`, async () => {
      const caseKey = `${method.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`;
      const build = CASES[caseKey];
      let n = 0;
      tally.operations++;
      await fc.assert(
        fc.asyncProperty(planFor(op, knownValues(k)), async (plan) => {
          const base = build !== undefined && plan.fromCase ? await build(k.f, 10_000 + n++) : null;
          const { url, init } = request(path, method, plan, tokens, base);
          const res = await SELF.fetch(url, init);
          const text = await res.text();
          tally.requests++;
          tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
          const what = `${method.toUpperCase()} ${path}: ${init.method} ${url.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`;
          expect(documented, what).toContain(res.status);
          if (res.status >= 400) {
            expect(res.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
            expect(ErrorBody.safeParse(JSON.parse(text)).success, what).toBe(true);
          }
          // A client that got an ETag sends it back: the conditional answer must be documented too.
          const tag = res.headers.get('etag');
          if (res.status === 200 && tag && init.method === 'GET') {
            const again = await SELF.fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'If-None-Match': tag } });
            await again.arrayBuffer();
            tally.requests++;
            tally.byStatus[again.status] = (tally.byStatus[again.status] ?? 0) + 1;
            expect(documented, `${what} — again with If-None-Match: ${tag} → ${again.status}`).toContain(again.status);
          }
        }),
        { numRuns: RUNS, seed: 20260101 ^ path.length, endOnFailure: true },
      );
    }, 300_000);
  }

  afterAll(() => {
    console.log(`document-derived requests: ${tally.requests} on ${tally.operations} operations; by status ${JSON.stringify(tally.byStatus)}`);
  });
});
