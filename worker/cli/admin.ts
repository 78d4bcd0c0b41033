/**
 * Account administration from the command line (Node): the local database in this process
 * (node:sqlite on miniflare's file, ./d1.ts), the remote one through `wrangler d1 execute`.
 *
 *   npm run admin -- create-user --username U --role admin [--display-name N] [--remote]
 *   npm run admin -- create-user --username U --role reporter --town T --unit U [--display-name N] [--remote]
 *   npm run admin -- create-user --username U --role region_supervisor --region R [--display-name N] [--remote]
 *   npm run admin -- create-demo-accounts          (local only; `npm start` runs it)
 *   npm run admin -- disable|enable|reset|reissue --username U [--remote]
 *
 * create-user creates a PENDING account and prints a one-time activation token and link (7 days):
 * the person sets the password themselves; no password passes through this command. The token is
 * hashed here with Web Crypto and only the hash is written. Same statement builders as the Worker
 * (worker/db/accounts.ts), rendered to SQL; the account, its activation token and the audit row
 * go in one file.
 *
 * create-demo-accounts creates (idempotently) one ACTIVE demo account per role in fengmao (the
 * region supervisor: of its county, shanting) with a known password, and prints them. It refuses --remote: deploys never create demo accounts.
 *
 * disable / enable / reset / reissue: an account's lifecycle, as the console offers it to the
 * office and admin (worker/routes/accounts.ts), for any account including admins — the way back in
 * for an admin who lost the password. Same statements (`accountActionStmts`), audited as
 * `system:admin-cli`; reset and reissue print a new one-time activation link.
 *
 * Options: --local (default) | --remote; --persist-to DIR (local D1 folder, as wrangler).
 */
import { parseArgs } from 'node:util';
import type { Role } from '../auth/context.ts';
import { hashPassword, randomToken, sha256Hex } from '../auth/password.ts';
import {
  ACTIVATION_TTL_MS,
  USERNAME_PATTERN,
  accountActionStmts,
  accountByStmt,
  activationPath,
  type AccountRow,
  createUserPrecheckStmt,
  regionExistsStmt,
  insertAccountStmt,
  insertActivationStmt,
  onlyIfUsernameFree,
} from '../db/accounts.ts';
import { auditStmt } from '../db/audit.ts';
import { stmt, type SqlValue, type Stmt } from '../db/sql.ts';
import { ACTION_FROM, AccountAction } from '../domain/account.ts';
import { LocalDatabaseBusyError, openD1, type D1Client } from './d1.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts.ts';

export { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts.ts';

const ROLES: Role[] = ['reporter', 'office', 'supervisor', 'region_supervisor', 'admin'];
const ACTOR = 'system:admin-cli';

class UsageError extends Error {}

const USAGE = `usage:
  npm run admin -- create-user --username U --role reporter|office|supervisor|region_supervisor|admin
                  [--town T] [--unit U] [--region R] [--display-name N] [--local | --remote] [--persist-to DIR]
      (--town for reporter, office and supervisor; --unit required for reporter;
       --region, a county or city of content/regions.yaml, for region_supervisor only)
  npm run admin -- create-demo-accounts [--persist-to DIR]     (local only)
  npm run admin -- disable|enable|reset|reissue --username U [--local | --remote] [--persist-to DIR]
      disable: sign-in refused, every session ends; enable: back to active (pending if never activated);
      reset: the password and sessions end, a new activation link is printed; reissue: a new link for a pending account`;

/** Runs one query and returns its first row. */
async function queryOne<T>(s: Stmt, db: D1Client): Promise<T | undefined> {
  return (await db.objects<T>(s))[0];
}

async function createUser(opts: Record<string, string | boolean | undefined>, db: D1Client, remote: boolean): Promise<void> {
  const username = String(opts.username ?? '').trim().toLowerCase();
  const role = String(opts.role ?? '') as Role;
  const town = opts.town ? String(opts.town) : null;
  const unit = opts.unit ? String(opts.unit) : null;
  const region = opts.region ? String(opts.region) : null;
  const displayName = String(opts['display-name'] ?? username).trim();
  if (!USERNAME_PATTERN.test(username)) throw new UsageError('--username: 3–40 of a-z 0-9 . _ -, starting with a letter or digit');
  if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (role === 'admin' && (town || unit)) throw new UsageError('an admin belongs to no town: leave out --town and --unit');
  if (role === 'region_supervisor' && (town || unit)) throw new UsageError('a region supervisor belongs to a region, not a town: leave out --town and --unit');
  if (role === 'region_supervisor' && !region) throw new UsageError('--region is required for a region supervisor');
  if (role !== 'region_supervisor' && region) throw new UsageError('--region is only for role region_supervisor');
  if (role !== 'admin' && role !== 'region_supervisor' && !town) throw new UsageError(`--town is required for role ${role}`);
  if (role === 'reporter' && !unit) throw new UsageError('--unit is required for a reporter');
  if (!displayName || displayName.length > 100) throw new UsageError('--display-name: 1–100 characters');

  const facts = await queryOne<{ taken: number; town_ok: number; unit_ok: number }>(createUserPrecheckStmt(username, town, unit), db);
  if (!facts) throw new Error('could not read the database (are the migrations applied?)');
  if (facts.taken > 0) throw new UsageError(`username already taken: ${username}`);
  if (town && facts.town_ok === 0) throw new UsageError(`no such town: ${town} (is content loaded?)`);
  if (unit && facts.unit_ok === 0) throw new UsageError(`no such unit in ${town}: ${unit}`);
  if (region && !(await queryOne<{ id: string }>(regionExistsStmt(region), db))) throw new UsageError(`no such region: ${region} (is content loaded? regions come from content/regions.yaml)`);

  const now = new Date();
  const at = now.toISOString();
  const id = crypto.randomUUID();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + ACTIVATION_TTL_MS).toISOString();
  await db.batch([
      insertAccountStmt({ id, username, display_name: displayName, role, town_id: town, unit_id: unit, region_id: region, password: null, status: 'pending', created_at: at, created_by: ACTOR }),
      insertActivationStmt(await sha256Hex(token), id, at, expiresAt),
      auditStmt({ at, actor: ACTOR, action: 'account.create', town_id: town, unit_id: unit, entity: 'account', entity_id: id, detail: { username, role, ...(region ? { region } : {}), activation_expires_at: expiresAt } }),
  ]);

  const base = remote ? 'https://<your-worker-host>' : `http://127.0.0.1:${process.env.PORT ?? '8787'}`;
  console.log(
    [
      `created ${role} account ${username} (${displayName})${town ? ` in ${town}${unit ? ` / ${unit}` : ''}` : ''}${region ? ` of region ${region}` : ''} in the ${remote ? 'remote' : 'local'} database — pending activation.`,
      '',
      'One-time activation (shown only now; valid until ' + expiresAt + '):',
      `  token: ${token}`,
      `  link:  ${base}${activationPath(token)}`,
      '',
      'Set the password (at least 10 characters) with the link, or directly:',
      `  curl -X POST ${base}/api/v1/auth/activate -H 'content-type: application/json' \\`,
      `       -d '{"token":"${token}","password":"<new password>"}'`,
    ].join('\n'),
  );
}

/** One lifecycle step on the account named `--username`, as the console does it (worker/routes/accounts.ts). */
async function accountAction(action: AccountAction, opts: Record<string, string | boolean | undefined>, db: D1Client, remote: boolean): Promise<void> {
  const username = String(opts.username ?? '').trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw new UsageError('--username: the account to act on');
  const account = await queryOne<AccountRow>(accountByStmt('username', username), db);
  if (!account) throw new UsageError(`no such account: ${username}`);
  if (!ACTION_FROM[action].includes(account.status)) throw new UsageError(`${username} is ${account.status}: ${action} applies to ${ACTION_FROM[action].join(' or ')} accounts only`);
  const now = new Date();
  const at = now.toISOString();
  const token = action === 'reset' || action === 'reissue' ? randomToken() : null;
  const link = token ? { tokenHash: await sha256Hex(token), expiresAt: new Date(now.getTime() + ACTIVATION_TTL_MS).toISOString() } : null;
  await db.batch(accountActionStmts(action, account, ACTOR, at, link));
  const after = await queryOne<AccountRow>(accountByStmt('username', username), db);
  console.log(`${username}: ${account.status} → ${after?.status ?? '?'} (${action}, audited as ${ACTOR}) in the ${remote ? 'remote' : 'local'} database.`);
  if (token && link) {
    const base = remote ? 'https://<your-worker-host>' : `http://127.0.0.1:${process.env.PORT ?? '8787'}`;
    console.log(['', `New one-time activation link (shown only now; valid until ${link.expiresAt}; earlier links no longer work):`, `  ${base}${activationPath(token)}`].join('\n'));
  }
}

/**
 * The demo accounts' statements (idempotent): each account with its audit row, skipped when the
 * username exists. Passwords hashed as the Worker verifies them (worker/auth/password.ts).
 */
export async function demoAccountStatements(at = new Date().toISOString(), accounts: readonly (typeof DEMO_ACCOUNTS)[number][] = DEMO_ACCOUNTS): Promise<Stmt[]> {
  const stmts: Stmt[] = [];
  for (const d of accounts) {
    const id = crypto.randomUUID();
    // The audit row first, written only while the username is free; then the account (skipped if it exists).
    stmts.push(
      onlyIfUsernameFree(
        auditStmt({ at, actor: ACTOR, action: 'account.create', town_id: d.town, unit_id: d.unit, entity: 'account', entity_id: id, detail: { username: d.username, role: d.role, ...(d.region ? { region: d.region } : {}), demo: true } }),
        d.username,
      ),
      insertAccountStmt(
        {
          id,
          username: d.username,
          display_name: d.display_name,
          role: d.role,
          town_id: d.town,
          unit_id: d.unit,
          region_id: d.region ?? null,
          password: await hashPassword(DEMO_PASSWORD),
          status: 'active',
          created_at: at,
          created_by: ACTOR,
        },
        { ifUsernameFree: true },
      ),
    );
  }
  return stmts;
}

/**
 * Creates the demo accounts (one transaction) and prints them. An account whose town, unit or
 * region the loaded content does not have (a CONTENT_DIR of other towns) is left out and named.
 */
export async function createDemoAccounts(db: D1Client): Promise<void> {
  const [towns, units, regions] = await db.rowsMany([stmt(`SELECT id FROM towns`), stmt(`SELECT town_id || ':' || id FROM units`), stmt(`SELECT id FROM regions`)]);
  const has = (rows: SqlValue[][] | undefined) => new Set((rows ?? []).map((r) => String(r[0])));
  const [t, u, r] = [has(towns), has(units), has(regions)];
  const possible = (d: (typeof DEMO_ACCOUNTS)[number]) => (!d.town || t.has(d.town)) && (!d.unit || u.has(`${d.town}:${d.unit}`)) && (!d.region || r.has(d.region));
  const made = DEMO_ACCOUNTS.filter(possible);
  await db.batch(await demoAccountStatements(undefined, made));
  const where = (d: (typeof DEMO_ACCOUNTS)[number]) => (d.region ? `region ${d.region}` : `${d.town ?? '(all towns)'}${d.unit ? ` / ${d.unit}` : ''}`);
  const w = Math.max(...DEMO_ACCOUNTS.map((d) => d.username.length));
  const ww = Math.max(...DEMO_ACCOUNTS.map((d) => where(d).length));
  const left = DEMO_ACCOUNTS.filter((d) => !possible(d));
  console.log(
    [
      `demo accounts (local only; password for all: ${DEMO_PASSWORD})`,
      ...made.map((d) => `  ${d.username.padEnd(w)}  ${d.role.padEnd(17)}  ${where(d).padEnd(ww)}  ${d.display_name}`),
      ...left.map((d) => `  ${d.username.padEnd(w)}  not created: the loaded content has no ${where(d)}`),
      `  sign in: POST /api/v1/auth/login {"username":"demo-office","password":"${DEMO_PASSWORD}"}`,
    ].join('\n'),
  );
}

if (import.meta.main) {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        username: { type: 'string' },
        role: { type: 'string' },
        town: { type: 'string' },
        unit: { type: 'string' },
        region: { type: 'string' },
        'display-name': { type: 'string' },
        local: { type: 'boolean' },
        remote: { type: 'boolean' },
        'persist-to': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command] = positionals;
    if (values.help || !command) {
      console.log(USAGE);
      process.exit(values.help ? 0 : 1);
    }
    if (values.local && values.remote) throw new UsageError('--local and --remote exclude each other');
    const remote = values.remote === true;
    const isAction = AccountAction.safeParse(command).success;
    if (command !== 'create-user' && command !== 'create-demo-accounts' && !isAction) throw new UsageError(`unknown command: ${command}`);
    if (command === 'create-demo-accounts' && remote) throw new UsageError('demo accounts are local only: deploys never create them');
    // Each command is one small transaction under SQLite's own locking (workerd's too), so it may run
    // while `npm start` or `wrangler dev` serves the same database, as `wrangler d1 execute --local`
    // could. (npm start's own demo-account step runs inside its exclusive database steps.)
    const db = await openD1({ remote, persistTo: values['persist-to'] }, { exclusive: false });
    try {
      if (command === 'create-user') await createUser(values, db, remote);
      else if (isAction) await accountAction(command as AccountAction, values, db, remote);
      else await createDemoAccounts(db);
    } finally {
      await db.close();
    }
  } catch (e) {
    console.error(e instanceof UsageError ? `${e.message}\n\n${USAGE}` : e instanceof LocalDatabaseBusyError ? e.message : (e as Error).message);
    process.exit(1);
  }
}
