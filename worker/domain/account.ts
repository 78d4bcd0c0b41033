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
