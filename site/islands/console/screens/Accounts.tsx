/**
 * Office (and admin): the town's accounts and new ones. A new account gets a one-time activation
 * link, shown once here to pass on to the person (the server keeps only its hash). Each account
 * shows its state and last sign-in; the accounts the caller may manage (the office: its town's
 * reporters; admin: any but its own — worker/domain/account.ts `mayManage`) can be disabled,
 * re-enabled, reset (a new link) or given a new activation link.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ACTION_FROM, CreateAccountBody, mayManage, type AccountAction } from '../../../../worker/domain/account.ts';
import { api, ApiFailure, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors, UnitOptions } from '../forms.tsx';
import { cstTime, ROLE_ZH } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';
import RegionAccounts from './RegionAccounts.tsx';
import Storage from './Storage.tsx';

interface Managed {
  id: string;
  username: string;
  display_name: string;
  role: keyof typeof ROLE_ZH;
  unit_id: string | null;
  town_id: string | null;
  status: 'pending' | 'active' | 'disabled';
  created_at: string;
  last_login_at: string | null;
}
const STATUS: Record<Managed['status'], string> = { pending: '待激活', active: '正常', disabled: '已停用' };
/** The buttons, in the order shown; the confirmation asked before the ones that end sessions. */
const ACTIONS: { action: AccountAction; label: string; confirm?: (name: string) => string }[] = [
  { action: 'reissue', label: '重新发放激活链接' },
  { action: 'reset', label: '重置密码', confirm: (n) => `重置 ${n} 的密码？原密码立即失效，已登录的设备会退出；本人须用新的激活链接重新设置密码。` },
  { action: 'disable', label: '停用', confirm: (n) => `停用 ${n} 的账号？已登录的设备会立即退出，停用后不能登录。` },
  { action: 'enable', label: '恢复' },
];
const DONE: Record<AccountAction, string> = { disable: '已停用', enable: '已恢复', reset: '已重置密码', reissue: '已重新发放激活链接' };
const LABELS: Record<string, string> = { username: '用户名', display_name: '姓名', role: '角色', unit_id: '责任单位' };

export default function Accounts({ session, town }: ScreenProps) {
  const [list, setList] = useState<Managed[] | null>(null);
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [failure, setFailure] = useState('');
  const [form, setForm] = useState({ username: '', display_name: '', role: 'reporter', unit_id: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [created, setCreated] = useState<{ username: string; url: string; expires: string } | null>(null);
  const [done, setDone] = useState<{ text: string; url?: string; expires?: string } | null>(null);
  const [busy, setBusy] = useState('');
  const doneRef = useRef<HTMLDivElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const createdRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const [a, p] = await Promise.all([api<{ accounts: Managed[] }>(`/api/v1/towns/${town}/accounts`), loadPlan(town)]);
      setList(a.accounts);
      setPlan(p);
    } catch (e) {
      setFailure(failureText(e));
    }
  }, [town, session.token]);
  useEffect(() => void load(), [load]);

  const act = async (a: Managed, step: (typeof ACTIONS)[number]) => {
    const name = `${a.display_name}（${a.username}）`;
    if (step.confirm && !window.confirm(step.confirm(name))) return;
    setFailure('');
    setBusy(`${a.id}:${step.action}`);
    try {
      const r = await api<{ account: Managed; activation_url?: string; activation_expires_at?: string }>(`/api/v1/towns/${town}/accounts/${encodeURIComponent(a.id)}/${step.action}`, { method: 'POST' });
      setDone({ text: `${name}：${DONE[step.action]}。`, ...(r.activation_url ? { url: new URL(r.activation_url, location.origin).href, expires: r.activation_expires_at } : {}) });
      await load();
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (e) {
      setFailure(failureText(e));
    } finally {
      setBusy('');
    }
  };

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const v = check(CreateAccountBody, { ...form, unit_id: form.unit_id || null });
    if (!v.ok) {
      setErrors(v.errors);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await api<{ account: Managed; activation_url: string; activation_expires_at: string }>(`/api/v1/towns/${town}/accounts`, { method: 'POST', body: v.data });
      setErrors({});
      setCreated({ username: r.account.username, url: new URL(r.activation_url, location.origin).href, expires: r.activation_expires_at });
      setForm({ username: '', display_name: '', role: 'reporter', unit_id: '' });
      await load();
      requestAnimationFrame(() => createdRef.current?.focus());
    } catch (e) {
      if (e instanceof ApiFailure && e.fields.length) {
        setErrors(toErrors(e.fields));
        requestAnimationFrame(() => summary.current?.focus());
      } else setFailure(failureText(e));
    }
  };

  return (
    <>
      <section className="console-panel" aria-labelledby="new-title">
        <h2 id="new-title">新建账号</h2>
        <div ref={createdRef} tabIndex={-1}>
          {created && (
            <Notice kind="ok">
              <p>已为 {created.username} 建立账号。请把下面的激活链接交给本人（只显示这一次，{cstTime(created.expires)} 前有效）：</p>
              <p>
                <code className="activation-link">{created.url}</code>
              </p>
            </Notice>
          )}
        </div>
        {failure && <Notice kind="error">{failure}</Notice>}
        <form onSubmit={submit} noValidate>
          <ErrorSummary form="acc" errors={errors} labels={(p) => LABELS[p] ?? p} summaryRef={summary} />
          <Field form="acc" path="username" label="用户名" hint="3–40 个小写字母、数字或 . _ -" errors={errors}>
            {(a) => <input {...a} autoCapitalize="none" spellCheck={false} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />}
          </Field>
          <Field form="acc" path="display_name" label="姓名" errors={errors}>
            {(a) => <input {...a} value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} />}
          </Field>
          <Field form="acc" path="role" label="角色" errors={errors}>
            {(a) => (
              <select {...a} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
                <option value="reporter">{ROLE_ZH.reporter}</option>
                <option value="supervisor">{ROLE_ZH.supervisor}</option>
                <option value="office">{ROLE_ZH.office}</option>
              </select>
            )}
          </Field>
          <Field form="acc" path="unit_id" label="责任单位（填报员必选）" errors={errors}>
            {(a) => (
              <select {...a} value={form.unit_id} onChange={(e) => setForm({ ...form, unit_id: e.target.value })}>
                <option value="">（无）</option>
                <UnitOptions units={plan?.plan.units} />
              </select>
            )}
          </Field>
          <button type="submit" className="button button-primary">
            建立账号并生成激活链接
          </button>
        </form>
      </section>
      <section className="console-panel" aria-labelledby="list-title">
        <h2 id="list-title">本镇账号</h2>
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
        <p>停用、恢复、重置密码和重新发放激活链接都会记入操作记录。办公室只能管理本镇填报员的账号。</p>
        {!list ? (
          <p>正在读取……</p>
        ) : (
          <ul className="console-list">
            {list.map((a) => {
              const steps = mayManage(session.account, a).ok ? ACTIONS.filter((s) => ACTION_FROM[s.action].includes(a.status)) : [];
              return (
                <li key={a.id} data-account={a.username}>
                  <strong>{a.display_name}</strong>（{a.username}）：{ROLE_ZH[a.role]}
                  {a.unit_id ? `，${plan?.units.get(a.unit_id) ?? a.unit_id}` : ''}，<span className="status">{STATUS[a.status]}</span>
                  <br />
                  <span className="last-login">{a.last_login_at ? `上次登录：${cstTime(a.last_login_at)}` : '从未登录'}</span>
                  {steps.length > 0 && (
                    <span className="account-actions">
                      {steps.map((s) => (
                        <button key={s.action} type="button" className="button" disabled={busy !== ''} aria-label={`${s.label}：${a.display_name}`} onClick={() => void act(a, s)}>
                          {busy === `${a.id}:${s.action}` ? '正在处理……' : s.label}
                        </button>
                      ))}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {session.account.role === 'admin' && <RegionAccounts />}
      {session.account.role === 'admin' && <Storage />}
    </>
  );
}
