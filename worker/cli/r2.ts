/**
 * The evidence files' R2 bucket (binding FILES in wrangler.toml) for the command-line tools, reached
 * one of two ways, as ./d1.ts reaches the database:
 *
 * - `proxy` (local): wrangler's getPlatformProxy with a configuration holding only the FILES binding,
 *   persisting where `wrangler dev` and `wrangler r2 object … --local` do (<persist>/v3/r2/…). One
 *   workerd for the whole run; an object's body is read as a stream, and a put hands R2 the file
 *   (a file-backed Blob) with its sha256, which R2 checks again as it stores it.
 * - `wrangler` (the remote bucket, or a local one with --through wrangler): one
 *   `wrangler r2 object get|put … --file` per object (wrangler has no `head`: `has` answers false
 *   through wrangler, so a resumed restore puts the object again, which stores the same bytes).
 *
 * Either way one object is in flight at a time and its bytes go through a file or a stream, never
 * the whole set in memory.
 */
import { createReadStream, mkdtempSync, openAsBlob, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { objectKey as fileKey } from '../domain/files.ts';
import { ROOT, wrangler } from './wrangler.ts';

/** The FILES binding's bucket name in wrangler.toml. */
export function bucketName(toml = readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8')): string {
  for (const block of toml.split(/^\[\[r2_buckets\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0]!;
    const val = (k: string) => body.match(new RegExp(`^\\s*${k}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
    if (val('binding') === 'FILES' && val('bucket_name')) return val('bucket_name')!;
  }
  throw new Error('wrangler.toml has no [[r2_buckets]] binding "FILES" with a bucket_name');
}

/** What the backup needs of the bucket. */
export interface FileStore {
  readonly how: 'proxy' | 'wrangler';
  /** The object's bytes as a stream of chunks; null (locally) or an error (through wrangler) when there is no such object. */
  read(sha256: string): Promise<AsyncIterable<Uint8Array> | null>;
  /** Whether the object is there with these bytes (by its stored sha256); false when it cannot tell. */
  has(sha256: string, bytes: number): Promise<boolean>;
  /** Stores the file at `path` (already checked to hash to `sha256`) as the object for `sha256`. */
  write(sha256: string, path: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the bucket: locally through getPlatformProxy, else through wrangler. */
export async function openFileStore(t: { remote: boolean; persistTo?: string; throughWrangler?: boolean }): Promise<FileStore> {
  const target = [t.remote ? '--remote' : '--local', ...(t.persistTo && !t.remote ? ['--persist-to', resolve(t.persistTo)] : [])];
  return t.remote || t.throughWrangler ? wranglerStore(target) : proxyStore(t.persistTo);
}

async function proxyStore(persistTo: string | undefined): Promise<FileStore> {
  const dir = mkdtempSync(join(tmpdir(), 'dtt-r2-'));
  const configPath = join(dir, 'wrangler.json');
  writeFileSync(configPath, JSON.stringify({ name: 'demo-town-tracker-files', compatibility_date: '2025-01-01', r2_buckets: [{ binding: 'FILES', bucket_name: bucketName() }] }));
  const { getPlatformProxy } = await import('wrangler');
  const persist = join(persistTo ? resolve(persistTo) : resolve(ROOT, '.wrangler/state'), 'v3');
  const proxy = await getPlatformProxy<{ FILES: R2Bucket }>({ configPath, persist: { path: persist } });
  const bucket = proxy.env.FILES;
  return {
    how: 'proxy',
    async read(sha256) {
      const o = await bucket.get(fileKey(sha256));
      return o ? (o.body as unknown as AsyncIterable<Uint8Array>) : null;
    },
    async has(sha256, bytes) {
      const h = await bucket.head(fileKey(sha256));
      return !!h && h.size === bytes && h.checksums.toJSON().sha256 === sha256;
    },
    async write(sha256, path) {
      await bucket.put(fileKey(sha256), (await openAsBlob(path)) as unknown as ReadableStream, { sha256 });
    },
    async close() {
      await proxy.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function wranglerStore(target: string[]): FileStore {
  const dir = mkdtempSync(join(tmpdir(), 'dtt-r2-'));
  const bucket = bucketName();
  let n = 0;
  return {
    how: 'wrangler',
    async read(sha256) {
      const file = join(dir, `get-${n++}`);
      // A missing object fails the call like any other failure (wrangler prints why): the caller stops.
      wrangler(['r2', 'object', 'get', `${bucket}/${fileKey(sha256)}`, ...target, '--file', file], { quiet: true });
      return (async function* () {
        try {
          yield* createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
        } finally {
          rmSync(file, { force: true });
        }
      })();
    },
    has: async () => false,
    async write(sha256, path) {
      wrangler(['r2', 'object', 'put', `${bucket}/${fileKey(sha256)}`, ...target, '--file', path], { quiet: true });
    },
    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
