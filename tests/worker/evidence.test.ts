/**
 * Evidence with reports (issue 27), through the real Worker, D1 and R2: a reporter uploads a phone
 * photo (its GPS position removed) and attaches it; the office publishes it when approving; the
 * public sees it at its address and in the progress data; rejected and internal files never reach
 * anyone outside; a task that requires evidence refuses 已完成 without it; inspections take files.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env, SELF } from 'cloudflare:test';
import { loadTwoTowns } from './helpers.ts';
import { api, auditRows, signIn } from './auth-helpers.ts';
import { contains, EXIF_MARK, JPEG_64x48, jpegWithGps, PDF, PNG_40x30 } from '../fixtures/evidence-images.ts';

let keyN = 0;
const key = () => `evidence-key-${Date.now()}-${keyN++}`;

/** A plan task of 卫计办 with no sub-tasks (a leaf: its report is not held back by children). */
async function leafTask(): Promise<string> {
  const r = await env.DB.prepare(
    `SELECT t.id FROM tasks t WHERE t.town_id = 'fengmao' AND t.kind <> 'rectification'
        AND EXISTS (SELECT 1 FROM task_units tu WHERE tu.town_id = t.town_id AND tu.task_id = t.id AND tu.unit_id = 'weijiban')
        AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.town_id = t.town_id AND c.parent_id = t.id)
      ORDER BY t.ordinal LIMIT 1`,
  ).first<{ id: string }>();
  return r!.id;
}
const versionOf = async (id: string) => (await env.DB.prepare(`SELECT version FROM tasks WHERE town_id = 'fengmao' AND id = ?`).bind(id).first<{ version: number }>())!.version;

const upload = (token: string | undefined, bytes: Uint8Array, town = 'fengmao', type = 'application/octet-stream') =>
  api('POST', `/api/v1/towns/${town}/files`, { token, raw: bytes, headers: { 'Content-Type': type } });

async function submit(token: string, task: string, body: Record<string, unknown>) {
  return api('POST', `/api/v1/tasks/fengmao:${task}/updates`, {
    token,
    body: { status: 'in_progress', percent: 40, narrative: '已建成日间照料中心，附照片。', ...body },
    headers: { 'Idempotency-Key': key(), 'If-Match': `"${await versionOf(task)}"` },
  });
}
async function approve(token: string, update: { id: string; task: string }, body?: unknown) {
  return api('POST', `/api/v1/updates/${update.id}/approve`, { token, body, headers: { 'Idempotency-Key': key(), 'If-Match': `"${await versionOf(update.task)}"` } });
}
const fetchPublic = (path: string, headers: Record<string, string> = {}) => SELF.fetch(`http://localhost${path}`, { headers });
const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const objects = async () => (await env.FILES.list({ prefix: 'sha256/' })).objects.map((o) => o.key).sort();

let reporter: string;
let office: string;
let task: string;

beforeEach(async () => {
  await loadTwoTowns();
  reporter = await signIn('reporter', 'weijiban');
  office = await signIn('office');
  task = await leafTask();
});

describe('a photo from a phone, uploaded and attached', () => {
  it('is stored once, without its GPS position, and read back only with a session of the town', async () => {
    const raw = jpegWithGps();
    const first = await upload(reporter, raw, 'fengmao', 'image/png'); // the header lies: the bytes decide
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ type: 'image/jpeg', width: 64, height: 48 });
    expect(first.body.file).toMatch(/^[0-9a-f]{64}$/);
    const again = await upload(reporter, raw);
    expect(again.status).toBe(200);
    expect(again.body.file).toBe(first.body.file);
    expect(await auditRows('file.upload')).toHaveLength(1);

    const obj = await env.FILES.get(`sha256/${first.body.file}`);
    const stored = new Uint8Array(await obj!.arrayBuffer());
    expect(contains(stored, EXIF_MARK)).toBe(false);
    expect(contains(stored, 'Exif')).toBe(false);
    expect([...stored]).toEqual([...JPEG_64x48()]);

    const read = await SELF.fetch(`http://localhost/api/v1/towns/fengmao/files/${first.body.file}`, { headers: { authorization: `Bearer ${office}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('image/jpeg');
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    expect(read.headers.get('cache-control')).toMatch(/private/);
    expect([...(await bytesOf(read))]).toEqual([...stored]);

    expect((await SELF.fetch(`http://localhost/api/v1/towns/fengmao/files/${first.body.file}`)).status).toBe(401);
    const stranger = await signIn('office', null, { town: 'othertown' });
    expect((await api('GET', `/api/v1/towns/fengmao/files/${first.body.file}`, { token: stranger })).status).toBe(403);
    // The other town never stored these bytes: attaching them there is refused.
    const elsewhere = await api('GET', `/api/v1/towns/othertown/files/${first.body.file}`, { token: stranger });
    expect(elsewhere.status).toBe(404);
  });

  it('refuses what is not a photo or PDF (415), too large (413), anonymous (401) — and stores nothing', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
    const r = await upload(reporter, svg, 'fengmao', 'image/jpeg');
    expect(r.status).toBe(415);
    expect(r.body.error).toMatchObject({ code: 'unsupported_type' });
    expect(r.body.error.message).toContain('JPEG');
    const big = new Uint8Array(11 * 1024 * 1024);
    big.set(new TextEncoder().encode('%PDF-1.4'));
    expect((await upload(reporter, big)).status).toBe(413);
    expect((await upload(undefined, JPEG_64x48())).status).toBe(401);
    expect((await upload(reporter, JPEG_64x48(), 'othertown')).status).toBe(403);
    expect(await objects()).toEqual([]);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM files`).first<{ n: number }>())!.n).toBe(0);
  });

  it('an update carries its files with captions; a file not uploaded, or a caption missing, names the field', async () => {
    const photo = (await upload(reporter, jpegWithGps())).body.file as string;
    const thumb = (await upload(reporter, PNG_40x30())).body.file as string;
    const pdf = (await upload(reporter, PDF())).body;
    expect(pdf).toMatchObject({ type: 'application/pdf', width: null });

    const missing = await submit(reporter, task, { attachments: [{ file: 'a'.repeat(64), caption: '照片' }] });
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields[0].path).toBe('attachments.0.file');
    const noCaption = await submit(reporter, task, { attachments: [{ file: photo, caption: '  ' }] });
    expect(noCaption.status).toBe(400);
    expect(noCaption.body.error.fields[0].path).toBe('attachments.0.caption');
    const pdfThumb = await submit(reporter, task, { attachments: [{ file: photo, caption: '照片', thumb: pdf.file }] });
    expect(pdfThumb.status).toBe(422);
    expect(pdfThumb.body.error.fields[0].path).toBe('attachments.0.thumb');
    const six = await submit(reporter, task, { attachments: Array.from({ length: 6 }, (_, i) => ({ file: i.toString(16).repeat(64), caption: `第${i}张` })) });
    expect(six.status).toBe(400);
    expect((await env.DB.prepare(`SELECT COUNT(*) AS n FROM task_updates`).first<{ n: number }>())!.n).toBe(0);

    const s = await submit(reporter, task, {
      attachments: [
        { file: photo, caption: '新建成的日间照料中心正门', thumb },
        { file: pdf.file, caption: '签约协议扫描件' },
      ],
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    expect(s.body.attachments).toMatchObject([
      { file: photo, thumb, type: 'image/jpeg', width: 64, height: 48, caption: '新建成的日间照料中心正门', visibility: 'internal' },
      { file: pdf.file, thumb: null, type: 'application/pdf', caption: '签约协议扫描件', visibility: 'internal' },
    ]);
    // The office's queue shows them.
    const queue = await api('GET', '/api/v1/towns/fengmao/updates?status=pending', { token: office });
    expect(queue.body.updates[0].attachments.map((a: { caption: string }) => a.caption)).toEqual(['新建成的日间照料中心正门', '签约协议扫描件']);
    const submitted = (await auditRows('update.submit')).at(-1)!;
    expect(JSON.parse(submitted.detail_json).attachments).toEqual([photo, pdf.file]);
  });
});

describe('review and publication', () => {
  async function pending() {
    const photo = (await upload(reporter, jpegWithGps())).body.file as string;
    const thumb = (await upload(reporter, PNG_40x30())).body.file as string;
    const pdf = (await upload(reporter, PDF())).body.file as string;
    const s = await submit(reporter, task, { attachments: [{ file: photo, caption: '照料中心正门', thumb }, { file: pdf, caption: '协议' }] });
    expect(s.status).toBe(201);
    return { update: s.body, photo, thumb, pdf };
  }

  it('nothing is public before approval; the office publishes the photo and keeps the PDF internal', async () => {
    const { update, photo, thumb, pdf } = await pending();
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(404);

    const strangerId = await approve(office, update, { public_attachments: ['att_not_this_one'] });
    expect(strangerId.status).toBe(422);
    expect(strangerId.body.error.fields[0].path).toBe('public_attachments.0');

    const a = await approve(office, update, { public_attachments: [update.attachments[0].id] });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.attachments.map((x: { visibility: string }) => x.visibility)).toEqual(['public', 'internal']);
    expect(JSON.parse((await auditRows('update.approve')).at(-1)!.detail_json).published).toEqual([update.attachments[0].id]);

    const pub = await fetchPublic(`/towns/fengmao/files/${photo}.jpg`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get('content-type')).toBe('image/jpeg');
    expect(pub.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pub.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(contains(await bytesOf(pub), EXIF_MARK)).toBe(false);
    expect((await fetchPublic(`/towns/fengmao/files/${thumb}.png`)).status).toBe(200);
    // The internal PDF, a wrong extension, another town: 404, never 403.
    expect((await fetchPublic(`/towns/fengmao/files/${pdf}.pdf`)).status).toBe(404);
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.png`)).status).toBe(404);
    expect((await fetchPublic(`/towns/othertown/files/${photo}.jpg`)).status).toBe(404);
    // Revalidation by its content hash.
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`, { 'if-none-match': `"${photo}"` })).status).toBe(304);

    // The public progress lists it with caption, address, thumbnail and its own page.
    const progress = await api('GET', '/api/v1/towns/fengmao/progress');
    const shown = progress.body.updates.find((u: { id: string }) => u.id === update.id);
    expect(shown.attachments).toEqual([
      {
        id: update.attachments[0].id,
        caption: '照料中心正门',
        type: 'image/jpeg',
        bytes: expect.any(Number),
        width: 64,
        height: 48,
        url: `/towns/fengmao/files/${photo}.jpg`,
        page: `/towns/fengmao/evidence/${update.attachments[0].id}/`,
        thumb: { url: `/towns/fengmao/files/${thumb}.png`, width: 40, height: 30 },
      },
    ]);
  });

  it('withdrawing a published photo takes it off at the next request; publishing later works too', async () => {
    const { update, photo, pdf } = await pending();
    await approve(office, update, { public_attachments: [update.attachments[0].id] });
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(200); // now cached
    const w = await api('POST', `/api/v1/attachments/${update.attachments[0].id}/visibility`, { token: office, body: { visibility: 'internal' } });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body).toMatchObject({ visibility: 'internal', url: null });
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(404);
    const p = await api('POST', `/api/v1/attachments/${update.attachments[1].id}/visibility`, { token: office, body: { visibility: 'public' } });
    expect(p.body).toMatchObject({ visibility: 'public', url: `/towns/fengmao/files/${pdf}.pdf` });
    const pdfRes = await fetchPublic(`/towns/fengmao/files/${pdf}.pdf`);
    expect(pdfRes.status).toBe(200);
    expect(pdfRes.headers.get('content-disposition')).toMatch(/^attachment/);
    const rows = await auditRows('attachment.visibility');
    expect(rows.map((r) => JSON.parse(r.detail_json))).toMatchObject([{ before: 'public', after: 'internal' }, { before: 'internal', after: 'public' }]);
    // The same choice again changes nothing and records nothing.
    await api('POST', `/api/v1/attachments/${update.attachments[1].id}/visibility`, { token: office, body: { visibility: 'public' } });
    expect(await auditRows('attachment.visibility')).toHaveLength(2);
    // A reporter may not choose; bad input names the field.
    expect((await api('POST', `/api/v1/attachments/${update.attachments[1].id}/visibility`, { token: reporter, body: { visibility: 'internal' } })).status).toBe(403);
    const bad = await api('POST', `/api/v1/attachments/${update.attachments[1].id}/visibility`, { token: office, body: { visibility: 'everyone' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('visibility');
  });

  it('an approval with no body (or an empty one sent as JSON) keeps every file internal', async () => {
    const { update, photo } = await pending();
    const res = await SELF.fetch(`http://localhost/api/v1/updates/${update.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${office}`, 'content-type': 'application/json', 'idempotency-key': key(), 'if-match': `"${await versionOf(task)}"` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { attachments: { visibility: string }[] };
    expect(body.attachments.map((a) => a.visibility)).toEqual(['internal', 'internal']);
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(404);
  });

  it("a rejected update's files are never public; a pending one's cannot be published", async () => {
    const { update, photo } = await pending();
    const early = await api('POST', `/api/v1/attachments/${update.attachments[0].id}/visibility`, { token: office, body: { visibility: 'public' } });
    expect(early.status).toBe(409);
    const r = await api('POST', `/api/v1/updates/${update.id}/reject`, { token: office, body: { reason: '照片看不清，请重拍。' }, headers: { 'Idempotency-Key': key() } });
    expect(r.status).toBe(200);
    expect(r.body.attachments.every((a: { visibility: string }) => a.visibility === 'internal')).toBe(true);
    expect((await api('POST', `/api/v1/attachments/${update.attachments[0].id}/visibility`, { token: office, body: { visibility: 'public' } })).status).toBe(409);
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(404);
    // The reporter still sees their own files with the refused report.
    const mine = await api('GET', '/api/v1/me/updates', { token: reporter });
    expect(mine.body.updates[0].attachments).toHaveLength(2);
  });
});

describe('a task that requires evidence', () => {
  it('refuses 已完成 without a file (422 naming attachments), accepts it with one, and 进行中 without', async () => {
    await env.DB.prepare(`UPDATE tasks SET evidence_required = 1 WHERE town_id = 'fengmao' AND id = ?`).bind(task).run();
    const refused = await submit(reporter, task, { status: 'completed', percent: 100 });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'evidence_required', fields: [{ path: 'attachments' }] });
    expect(refused.body.error.message).toContain('佐证材料');
    expect((await submit(reporter, task, { status: 'in_progress', percent: 60 })).status).toBe(201);
    const photo = (await upload(reporter, JPEG_64x48())).body.file;
    expect((await submit(reporter, task, { status: 'completed', percent: 100, attachments: [{ file: photo, caption: '竣工验收现场' }] })).status).toBe(201);
  });
});

describe('inspections', () => {
  it('take files the same way, kept internal', async () => {
    const supervisor = await signIn('supervisor');
    const photo = (await upload(supervisor, jpegWithGps())).body.file;
    const r = await api('POST', '/api/v1/towns/fengmao/inspections', {
      token: supervisor,
      body: { inspected_on: '2026-03-02', title: '春季督导检查', inspectors: ['纪委 张某'], attachments: [{ file: photo, caption: '检查现场：消防通道堵塞' }] },
      headers: { 'Idempotency-Key': key() },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.attachments).toMatchObject([{ file: photo, caption: '检查现场：消防通道堵塞', visibility: 'internal' }]);
    const read = await api('GET', `/api/v1/inspections/${r.body.id}`, { token: office });
    expect(read.body.attachments).toHaveLength(1);
    const pub = await api('POST', `/api/v1/attachments/${r.body.attachments[0].id}/visibility`, { token: office, body: { visibility: 'public' } });
    expect(pub.status).toBe(422);
    expect((await fetchPublic(`/towns/fengmao/files/${photo}.jpg`)).status).toBe(404);
  });
});
