/**
 * Storage per town (GET /api/v1/admin/storage): an admin sees, for every town, how many evidence
 * files it stored and their bytes — a file counted once per town however often it is attached, a
 * file two towns stored counted for each, a town with none listed at 0. Nobody else may ask.
 */
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { loadTwoTowns } from './helpers.ts';
import { api, signIn, signedIn } from './auth-helpers.ts';

const hex = (c: string) => c.repeat(64);

/** A `files` row as the upload route records it (the bytes themselves are R2's business). */
async function stored(town: string, sha256: string, bytes: number, by: string, type = 'image/jpeg'): Promise<void> {
  const pdf = type === 'application/pdf';
  await env.DB.prepare(`INSERT INTO files (town_id, sha256, type, bytes, width, height, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-12-01T08:00:00.000Z')`)
    .bind(town, sha256, type, bytes, pdf ? null : 1600, pdf ? null : 1200, by)
    .run();
}

describe('GET /api/v1/admin/storage', () => {
  it('gives an admin every town with its files and bytes, largest first; a town without files at 0', async () => {
    await loadTwoTowns();
    const reporter = await signedIn('reporter', 'weijiban');
    await stored('fengmao', hex('a'), 250_000, reporter.id);
    await stored('fengmao', hex('b'), 1_500_000, reporter.id, 'application/pdf');
    // The same bytes stored by another town: R2 keeps one object, each town counts its own upload.
    await stored('othertown', hex('a'), 250_000, reporter.id);
    const admin = await signIn('admin');
    const r = await api<{ towns: { town: string; name: string; files: number; bytes: number }[] }>('GET', '/api/v1/admin/storage', { token: admin });
    expect(r.status).toBe(200);
    expect(r.body.towns).toEqual([
      { town: 'fengmao', name: '冯卯镇', files: 2, bytes: 1_750_000 },
      { town: 'othertown', name: '另一镇', files: 1, bytes: 250_000 },
    ]);
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('lists a town that stored nothing at 0 files, 0 bytes', async () => {
    await loadTwoTowns();
    const r = await api<{ towns: { town: string; files: number; bytes: number }[] }>('GET', '/api/v1/admin/storage', { token: await signIn('admin') });
    expect(r.status).toBe(200);
    expect(r.body.towns.find((t) => t.town === 'othertown')).toMatchObject({ files: 0, bytes: 0 });
  });

  it('refuses the town office (403) and anyone not signed in (401)', async () => {
    await loadTwoTowns();
    expect((await api('GET', '/api/v1/admin/storage', { token: await signIn('office') })).status).toBe(403);
    const anon = await api<{ error: { code: string } }>('GET', '/api/v1/admin/storage');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('unauthenticated');
  });
});
