/**
 * Office (and admin): the town's accounts and new ones. A new account gets a one-time activation
 * link, shown once here to pass on to the person (the server keeps only its hash). Each account
 * shows its state and last sign-in; the accounts the caller may manage (the office: its town's
 * reporters; admin: any but its own — worker/domain/account.ts `mayManage`) can be disabled,
 * re-enabled, reset (a new link) or given a new activation link.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateAccountBody } from '../../../../worker/domain/account.ts';
import { ACCOUNT_STATUS_ZH, CreatedNotice, useAccountSteps, type ManagedAccount } from '../account-steps.tsx';
import { api, ApiFailure, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors, UnitOptions } from '../forms.tsx';
import { cstTime, ROLE_ZH } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';
import RegionAccounts from './RegionAccounts.tsx';
import Storage from './Storage.tsx';

type Managed = ManagedAccount & { role: keyof typeof ROLE_ZH; created_at: string };
const LABELS: Record<string, string> = { username: '用户名', display_name: '姓名', role: '角色', unit_id: '责任单位' };

export default function Accounts({ session, town }: ScreenProps) {
  const [list, setList] = useState<Managed[] | null>(null);
  const [plan, setPlan] = useState<PlanIndex | null>(null);
  const [failure, setFailure] = useState('');
  const [form, setForm] = useState({ username: '', display_name: '', role: 'reporter', unit_id: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [created, setCreated] = useState<{ username: string; url: string; expires: string } | null>(null);
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

  const steps = useAccountSteps(session.account, `/api/v1/towns/${town}/accounts`, load, setFailure, () => setCreated(null));

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
          <CreatedNotice created={created} />
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
        {steps.notice}
        <p>停用、恢复、重置密码和重新发放激活链接都会记入操作记录。办公室只能管理本镇填报员的账号。</p>
        {!list ? (
          <p>正在读取……</p>
        ) : (
          <ul className="console-list">
            {list.map((a) => (
              <li key={a.id} data-account={a.username}>
                <strong>{a.display_name}</strong>（{a.username}）：{ROLE_ZH[a.role]}
                {a.unit_id ? `，${plan?.units.get(a.unit_id) ?? a.unit_id}` : ''}，<span className="status">{ACCOUNT_STATUS_ZH[a.status]}</span>
                <br />
                <span className="last-login">{a.last_login_at ? `上次登录：${cstTime(a.last_login_at)}` : '从未登录'}</span>
                {steps.buttons(a)}
              </li>
            ))}
          </ul>
        )}
      </section>
      {session.account.role === 'admin' && <RegionAccounts session={session} town={town} />}
      {session.account.role === 'admin' && <Storage />}
    </>
  );
}
