/**
 * Where an evidence file's bytes live in R2 (binding FILES, docs/evidence.md): one object per
 * content hash, shared by every town that stored the same bytes. The Worker's file routes and the
 * backup CLI (worker/cli/backup.ts) both name objects through this function.
 */

/** An R2 key's prefix: the hash the key is made of. */
export const FILE_KEY_PREFIX = 'sha256/';

/** Whether a string is a lowercase hex SHA-256 (as `files.sha256` holds). */
export const isSha256 = (s: string): boolean => /^[0-9a-f]{64}$/.test(s);

/** The R2 key of the file whose bytes hash to `sha256` (64 lowercase hex digits). */
export function fileKey(sha256: string): string {
  if (!isSha256(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
  return FILE_KEY_PREFIX + sha256;
}
