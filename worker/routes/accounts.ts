/**
 * An account's lifecycle, for its town's office (reporter accounts only) or admin (any account but
 * its own): disable and re-enable, reset (a new activation link; the password and every session
 * end), and re-issue the activation link of an account not yet activated. Mounted at /api/v1.
 * Each step is one batch with its audit row (worker/db/accounts.ts `accountActionStmts`); the rule
 * of who may do what is worker/domain/account.ts `mayManage`.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { contract } from './contract.ts';
import { ManagedAccount, managedView } from './auth.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, ErrorBody, notFound } from '../errors.ts';
import { validationHook } from '../validation.ts';
import { denied, requireCaller } from '../auth/middleware.ts';
import { randomToken, sha256Hex } from '../auth/password.ts';
import { runBatch } from '../db/batch.ts';
import { ACTIVATION_TTL_MS, accountActionStmts, activationPath, readAccount, type AccountRow } from '../db/accounts.ts';
import type { Caller } from '../auth/context.ts';
import { ACTION_FROM, AccountAction, mayManage } from '../domain/account.ts';

const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
/** `{account}/{action}`: an account's id and the step (town and region accounts alike). */
export const AccountStepParams = z.object({
  account: z.string().min(1).max(64).openapi({ param: { name: 'account', in: 'path' }, description: 'The account id (from the list of accounts)' }),
  action: AccountAction.openapi({
    param: { name: 'action', in: 'path' },
    description:
      'disable: 停用 (every session ends at once; sign-in is refused); enable: 恢复 (to active, or pending if it never had a password); ' +
      'reset: 重置 (the password and every session end; a new one-time activation link); reissue: 重新发放激活链接 (pending accounts only)',
  }),
});
const Params = AccountStepParams.extend({ town: Slug.openapi({ param: { name: 'town', in: 'path' }, example: 'fengmao' }) });

/** The answer to a step: the account as it now is, and a new link after reset and reissue. */
export const ActionResult = z
  .object({
    account: ManagedAccount,
    activation_url: z.string().optional().openapi({ description: 'reset and reissue: the new one-time link (shown only now; earlier links stop working)' }),
    activation_expires_at: z.string().optional(),
  })
  .openapi('AccountActionResult');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorBody, description);

const actionRoute = contract({ roles: ['office', 'admin'], town: 'town' }, {
  method: 'post',
  path: '/towns/{town}/accounts/{account}/{action}',
  summary: "Disable, re-enable or reset an account, or re-issue its activation link (the town's office for its reporters; admin for any account but its own)",
  request: { params: Params },
  responses: {
    200: json(ActionResult, 'Done; the account as it now is'),
    403: error('Not allowed: an office member acts only on reporter accounts of its own town, never on itself or another office, supervisor or admin account (audited as auth.denied)'),
    404: error('No such account in this town'),
    409: error('`account_state`: the account is not in a state this action starts from (e.g. enabling an account that is not disabled)'),
  },
});

const STATE_ZH = { pending: '待激活', active: '正常', disabled: '已停用' } as const;
const ACTION_ZH = { disable: '停用', enable: '恢复', reset: '重置', reissue: '重新发放激活链接' } as const;

const wrongState = (action: AccountAction, status: keyof typeof STATE_ZH) =>
  new ApiError(
    409,
    'account_state',
    `账号当前状态为“${STATE_ZH[status]}”，不能${ACTION_ZH[action]}。`,
    `The account is ${status}; ${action} applies to ${ACTION_FROM[action].join(' or ')} accounts only.`,
    [{ path: 'action', message: `账号状态为${STATE_ZH[status]}`, message_en: `account is ${status}` }],
  );

/**
 * One lifecycle step on `target` (already found in the route's town or region, else 404): refused
 * (403, audited as auth.denied) unless `mayManage`; 409 unless the account is in a state the step
 * starts from; then the change and its audit row in one batch. Answers the account as it now is,
 * with the new one-time link after reset and reissue. Town and region accounts alike.
 */
export async function accountStep(c: Context<AppEnv, any, any>, caller: Caller, target: AccountRow, action: AccountAction): Promise<never> {
  const may = mayManage(caller, target);
  if (!may.ok) await denied(c, may.reason, { town_id: target.town_id, unit_id: target.unit_id, entity: 'account', entity_id: target.id });
  if (!ACTION_FROM[action].includes(target.status)) throw wrongState(action, target.status);

  const at = new Date().toISOString();
  const token = action === 'reset' || action === 'reissue' ? randomToken() : null;
  const link = token ? { tokenHash: await sha256Hex(token), expiresAt: new Date(Date.parse(at) + ACTIVATION_TTL_MS).toISOString() } : null;
  const [changed] = await runBatch(c.env.DB, accountActionStmts(action, target, caller.id, at, link));
  // Someone else changed the account between the read and this batch: nothing was written.
  if (changed!.meta.changes !== 1) {
    const now = await readAccount(c.env.DB, target.id);
    throw wrongState(action, now?.status ?? target.status);
  }
  const after = (await readAccount(c.env.DB, target.id))!;
  return c.json({ account: managedView(after), ...(token && link ? { activation_url: activationPath(token), activation_expires_at: link.expiresAt } : {}) }, 200) as never;
}

export const accounts = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(actionRoute, async (c) => {
  const { town, account: id, action } = c.req.valid('param');
  const caller = await requireCaller(c, 'office', 'admin');
  const target = await readAccount(c.env.DB, id);
  if (!target || target.town_id !== town) throw notFound('Account', '账号', id);
  return accountStep(c, caller, target, action);
});
