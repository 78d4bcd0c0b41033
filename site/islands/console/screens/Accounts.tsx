/**
 * Office (and admin): the town's accounts and new ones. A new account gets a one-time activation
 * link, shown once here to pass on to the person (the server keeps only its hash).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateAccountBody } from '../../../../worker/domain/account.ts';
import { api, ApiFailure, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors, UnitOptions } from '../forms.tsx';
import { cstTime, ROLE_ZH } from '../labels.ts';
import { loadPlan, type PlanIndex } from '../plan.ts';

interface Managed {
  id: string;
  username: string;
  display_name: string;
  role: keyof typeof ROLE_ZH;
  unit_id: string | null;
  status: 'pending' | 'active' | 'disabled';
  created_at: string;
}
const STATUS: Record<Managed['status'], string> = { pending: '待激活', active: '已激活', disabled: '已停用' };
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
        {!list ? (
          <p>正在读取……</p>
        ) : (
          <ul className="console-list">
            {list.map((a) => (
              <li key={a.id}>
                <strong>{a.display_name}</strong>（{a.username}）：{ROLE_ZH[a.role]}
                {a.unit_id ? `，${plan?.units.get(a.unit_id) ?? a.unit_id}` : ''}，<span className="status">{STATUS[a.status]}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
