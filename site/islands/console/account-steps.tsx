/**
 * An account's lifecycle in the console, for town accounts (screens/Accounts.tsx) and region
 * supervisors (screens/RegionAccounts.tsx) alike: the buttons an account's state allows (重新发放激活链接,
 * 重置密码, 停用, 恢复; those that end sessions ask first), the step through the API, and the notice
 * of what was done with the new one-time link when there is one. Who may do what is the API's rule
 * (worker/domain/account.ts `mayManage`), shown here only to hide buttons that would be refused.
 */
import { useRef, useState } from 'react';
import { ACTION_FROM, mayManage, type AccountAction, type Manager } from '../../../worker/domain/account.ts';
import { api, failureText } from './api.ts';
import { Notice } from './forms.tsx';
import { cstTime } from './labels.ts';

/** An account as the lists show it (the API's ManagedAccount). */
export interface ManagedAccount {
  id: string;
  username: string;
  display_name: string;
  role: Manager['role'];
  unit_id: string | null;
  town_id: string | null;
  status: 'pending' | 'active' | 'disabled';
  last_login_at: string | null;
}

/** The state words. */
export const ACCOUNT_STATUS_ZH: Record<ManagedAccount['status'], string> = { pending: '待激活', active: '正常', disabled: '已停用' };

/** The buttons, in the order shown; the confirmation asked before the ones that end sessions. */
const STEPS: { action: AccountAction; label: string; confirm?: (name: string) => string }[] = [
  { action: 'reissue', label: '重新发放激活链接' },
  { action: 'reset', label: '重置密码', confirm: (n) => `重置 ${n} 的密码？原密码立即失效，已登录的设备会退出；本人须用新的激活链接重新设置密码。` },
  { action: 'disable', label: '停用', confirm: (n) => `停用 ${n} 的账号？已登录的设备会立即退出，停用后不能登录。` },
  { action: 'enable', label: '恢复' },
];
const DONE: Record<AccountAction, string> = { disable: '已停用', enable: '已恢复', reset: '已重置密码', reissue: '已重新发放激活链接' };

/**
 * The steps on the accounts of one list: `base` is the list's path (/api/v1/towns/<town>/accounts,
 * /api/v1/regions/<region>/accounts); `reload` reads the list again after a step; `onStep` runs
 * after each one (e.g. to take away a new account's link, which a reset or reissue has replaced).
 */
export function useAccountSteps(me: Manager, base: string, reload: () => unknown, onFailure: (text: string) => void, onStep?: () => void) {
  const [done, setDone] = useState<{ text: string; url?: string; expires?: string } | null>(null);
  const [busy, setBusy] = useState('');
  const doneRef = useRef<HTMLDivElement>(null);

  const act = async (a: ManagedAccount, step: (typeof STEPS)[number]) => {
    const name = `${a.display_name}（${a.username}）`;
    if (step.confirm && !window.confirm(step.confirm(name))) return;
    onFailure('');
    setBusy(`${a.id}:${step.action}`);
    try {
      const r = await api<{ account: ManagedAccount; activation_url?: string; activation_expires_at?: string }>(`${base}/${encodeURIComponent(a.id)}/${step.action}`, { method: 'POST' });
      onStep?.();
      setDone({ text: `${name}：${DONE[step.action]}。`, ...(r.activation_url ? { url: new URL(r.activation_url, location.origin).href, expires: r.activation_expires_at } : {}) });
      await reload();
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (e) {
      onFailure(failureText(e));
    } finally {
      setBusy('');
    }
  };

  /** What was done, with the new link to pass on (shown once). */
  const notice = (
    <div ref={doneRef} tabIndex={-1}>
      {done && (
        <Notice kind="ok">
          <p>{done.text}</p>
          {done.url && (
            <>
              <p>请把新的激活链接交给本人（只显示这一次，{cstTime(done.expires)} 前有效；之前的链接已失效）：</p>
              <p>
                <code className="activation-link">{done.url}</code>
              </p>
            </>
          )}
        </Notice>
      )}
    </div>
  );

  /** The buttons for one account: the steps its state allows, if the caller may manage it at all. */
  const buttons = (a: ManagedAccount) => {
    const steps = mayManage(me, a).ok ? STEPS.filter((s) => ACTION_FROM[s.action].includes(a.status)) : [];
    return steps.length > 0 ? (
      <span className="account-actions">
        {steps.map((s) => (
          <button key={s.action} type="button" className="button" disabled={busy !== ''} aria-label={`${s.label}：${a.display_name}`} onClick={() => void act(a, s)}>
            {busy === `${a.id}:${s.action}` ? '正在处理……' : s.label}
          </button>
        ))}
      </span>
    ) : null;
  };

  return { notice, buttons };
}

/** A new account's one-time activation link, to pass on to the person (shown once: the server keeps only its hash). */
export function CreatedNotice({ created }: { created: { username: string; url: string; expires: string } | null }) {
  return created ? (
    <Notice kind="ok">
      <p>已为 {created.username} 建立账号。请把下面的激活链接交给本人（只显示这一次，{cstTime(created.expires)} 前有效）：</p>
      <p>
        <code className="activation-link">{created.url}</code>
      </p>
    </Notice>
  ) : null;
}
