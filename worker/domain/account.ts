/**
 * Sign-in, activation and account-creation payloads: one zod schema each, used by the API
 * (worker/routes/auth.ts) and by the console's forms in the browser (site/islands/console/).
 * No Hono, no D1: this file must stay importable by the browser bundle.
 */
import { z } from 'zod';

const zh = (cn: string, en: string) => ({ message: `${cn} / ${en}` });

/** Usernames: 3–40 of a-z 0-9 . _ -, starting with a letter or digit (stored lower-case). */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,39}$/;

/** A new account's username (normalised to lower case). */
export const Username = z
  .string(zh('请填写用户名', 'give a username'))
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, zh('用户名为 3–40 个小写字母、数字或 . _ -，以字母或数字开头', 'username: 3–40 of a-z 0-9 . _ -, starting with a letter or digit'));

/** A password someone chooses (activation). */
export const NewPassword = z
  .string(zh('请填写密码', 'give a password'))
  .min(10, zh('密码至少需要 10 个字符', 'password must be at least 10 characters'))
  .max(200, zh('密码不能超过 200 个字符', 'password must be at most 200 characters'));

/** POST /api/v1/auth/login */
export const LoginBody = z.object({
  username: z.string(zh('请填写用户名', 'give a username')).trim().min(1, zh('请填写用户名', 'give a username')).max(100),
  password: z.string(zh('请填写密码', 'give a password')).min(1, zh('请填写密码', 'give a password')).max(1000),
});

/** POST /api/v1/auth/activate */
export const ActivateBody = z.object({
  token: z.string(zh('缺少激活码', 'activation token missing')).min(16, zh('激活码无效', 'invalid activation token')).max(256, zh('激活码无效', 'invalid activation token')),
  password: NewPassword,
});

/** POST /api/v1/towns/{town}/accounts */
export const CreateAccountBody = z.object({
  username: Username,
  display_name: z.string(zh('请填写姓名', 'give a display name')).trim().min(1, zh('请填写姓名', 'give a display name')).max(100, zh('姓名不能超过 100 个字符', 'display name is at most 100 characters')),
  role: z.enum(['reporter', 'office', 'supervisor'], zh('角色应为 reporter、office 或 supervisor', 'role must be reporter, office or supervisor')),
  unit_id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, zh('单位标识无效', 'invalid unit id')).nullable().optional(),
});
export type CreateAccountBody = z.infer<typeof CreateAccountBody>;

/** POST /api/v1/regions/{region}/accounts: a region supervisor (the role and region come from the path). */
export const CreateRegionAccountBody = CreateAccountBody.pick({ username: true, display_name: true });
export type CreateRegionAccountBody = z.infer<typeof CreateRegionAccountBody>;

/** What the office (its town's reporters) or admin (every account) can do to an account. */
export const AccountAction = z.enum(['disable', 'enable', 'reset', 'reissue']);
export type AccountAction = z.infer<typeof AccountAction>;

/** An account's state: 待激活 (pending), 正常 (active), 已停用 (disabled). */
export type AccountStatus = 'pending' | 'active' | 'disabled';

/**
 * The states each action starts from. disable: any but disabled (every session ends at once);
 * enable: disabled only (back to active if a password was ever set, else pending);
 * reset: active or pending (the password and sessions end, a new activation link is issued);
 * reissue: pending only (a new activation link; earlier unused links stop working).
 */
export const ACTION_FROM: Record<AccountAction, readonly AccountStatus[]> = {
  disable: ['pending', 'active'],
  enable: ['disabled'],
  reset: ['pending', 'active'],
  reissue: ['pending'],
};

/** Who is acting, as far as the rule needs. */
export interface Manager {
  id: string;
  role: 'reporter' | 'office' | 'supervisor' | 'region_supervisor' | 'admin';
  town_id: string | null;
}

/**
 * Whether `actor` may act on `target`: admin on any account but its own (an admin locked out of
 * itself would need the database); an office member only on reporter accounts of its own town —
 * never on itself, another office member, a supervisor or an admin. Returns the reason when not.
 */
export function mayManage(actor: Manager, target: { id: string; role: Manager['role']; town_id: string | null }): { ok: true } | { ok: false; reason: string } {
  if (actor.id === target.id) return { ok: false, reason: 'an account cannot manage itself' };
  if (actor.role === 'admin') return { ok: true };
  if (actor.role !== 'office') return { ok: false, reason: `role ${actor.role} manages no accounts` };
  if (actor.town_id !== target.town_id) return { ok: false, reason: 'account of another town' };
  if (target.role !== 'reporter') return { ok: false, reason: `office manages reporter accounts only, not ${target.role}` };
  return { ok: true };
}
