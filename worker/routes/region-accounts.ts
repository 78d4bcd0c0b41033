/**
 * Region supervisor accounts (issue 24): admins create and list the supervisors of a region (a
 * county or city), and disable, re-enable, reset or re-issue the link of one, as the town accounts'
 * lifecycle does (routes/accounts.ts `accountStep`: the same rule, states, batch and audit rows).
 * Like a town account, a new one is pending with a one-time activation link; the account, its link
 * and the `account.create` audit row go in one batch.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { contract } from './contract.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { requireCaller } from '../auth/middleware.ts';
import { randomToken, sha256Hex } from '../auth/password.ts';
import { auditStmt } from '../db/audit.ts';
import { runBatch } from '../db/batch.ts';
import { ACTIVATION_TTL_MS, activationPath, insertAccountStmt, insertActivationStmt, listRegionAccounts, readAccount, readCreateAccountFacts, type AccountRow } from '../db/accounts.ts';
import { readRegionHead } from '../db/region-supervision.ts';
import { CreateRegionAccountBody } from '../domain/account.ts';
import { ManagedAccount, managedView } from './auth.ts';
import { AccountStepParams, ActionResult, accountStep } from './accounts.ts';
import { Slug, err, json } from './supervision.ts';

const RegionParam = z.object({ region: Slug.openapi({ param: { name: 'region', in: 'path' }, example: 'shanting' }) });

const createRoute = contract({ roles: ['admin'] }, {
  method: 'post',
  path: '/regions/{region}/accounts',
  summary: "Create a region supervisor of this region (pending, with a one-time activation link) (admin)",
  request: { params: RegionParam, body: { content: { 'application/json': { schema: CreateRegionAccountBody } }, required: true } },
  responses: {
    201: json(z.object({ account: ManagedAccount, activation_url: z.string(), activation_expires_at: z.string() }), 'Created'),
    404: err('No such region'),
    409: err('Username taken'),
  },
});
const listRoute = contract({ roles: ['admin'] }, {
  method: 'get',
  path: '/regions/{region}/accounts',
  summary: "The region's supervisor accounts, without secrets (admin)",
  request: { params: RegionParam },
  responses: { 200: json(z.object({ accounts: z.array(ManagedAccount) }), 'Accounts'), 404: err('No such region') },
});

const stepRoute = contract({ roles: ['admin'] }, {
  method: 'post',
  path: '/regions/{region}/accounts/{account}/{action}',
  summary: "Disable, re-enable or reset a region supervisor's account, or re-issue its activation link (admin)",
  request: { params: AccountStepParams.extend(RegionParam.shape) },
  responses: {
    200: json(ActionResult, 'Done; the account as it now is'),
    404: err('No such supervisor account in this region'),
    409: err('`account_state`: the account is not in a state this action starts from (e.g. enabling an account that is not disabled)'),
  },
});

const taken = (username: string) =>
  new ApiError(409, 'username_taken', `用户名已被使用：${username}`, `Username already taken: ${username}`, [{ path: 'username', message: '用户名已被使用 / username already taken', message_en: 'username already taken' }]);

/** Mounted at /api/v1. */
export const regionAccounts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(createRoute, async (c) => {
    const caller = await requireCaller(c, 'admin');
    const { region } = c.req.valid('param');
    const body = c.req.valid('json');
    if (!(await readRegionHead(c.env.DB, region))) throw notFound('Region', '地区', region);
    if ((await readCreateAccountFacts(c.env.DB, '', null, body.username)).usernameTaken) throw taken(body.username);
    const at = new Date().toISOString();
    const id = crypto.randomUUID();
    const token = randomToken();
    const expiresAt = new Date(Date.now() + ACTIVATION_TTL_MS).toISOString();
    const row: AccountRow = { id, username: body.username, display_name: body.display_name, role: 'region_supervisor', town_id: null, unit_id: null, region_id: region, status: 'pending', created_at: at, created_by: caller.id, last_login_at: null };
    try {
      await runBatch(c.env.DB, [
        insertAccountStmt({ ...row, password: null, status: 'pending' }),
        insertActivationStmt(await sha256Hex(token), id, at, expiresAt),
        auditStmt({ at, actor: caller.id, action: 'account.create', town_id: null, entity: 'account', entity_id: id, detail: { username: body.username, role: 'region_supervisor', region, activation_expires_at: expiresAt } }),
      ]);
    } catch (e) {
      if (/UNIQUE constraint failed: accounts\.username/.test(String((e as Error)?.message ?? e))) throw taken(body.username);
      throw e;
    }
    return c.json({ account: managedView(row), activation_url: activationPath(token), activation_expires_at: expiresAt }, 201);
  })
  .openapi(listRoute, async (c) => {
    await requireCaller(c, 'admin');
    const { region } = c.req.valid('param');
    if (!(await readRegionHead(c.env.DB, region))) throw notFound('Region', '地区', region);
    return c.json({ accounts: (await listRegionAccounts(c.env.DB, region)).map(managedView) }, 200);
  })
  .openapi(stepRoute, async (c) => {
    const caller = await requireCaller(c, 'admin');
    const { region, account: id, action } = c.req.valid('param');
    const target = await readAccount(c.env.DB, id);
    if (!target || target.role !== 'region_supervisor' || target.region_id !== region) throw notFound('Account', '账号', id);
    return accountStep(c, caller, target, action);
  });
