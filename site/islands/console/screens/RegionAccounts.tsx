/**
 * Admin: the region supervisors (县（市、区）督导) of a county or city — a new one gets a one-time
 * activation link shown once, as a town account does; the list shows each one's state and last
 * sign-in, with the same steps as the town accounts (停用, 恢复, 重置密码, 重新发放激活链接:
 * account-steps.tsx).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateRegionAccountBody } from '../../../../worker/domain/account.ts';
import { ACCOUNT_STATUS_ZH, CreatedNotice, useAccountSteps, type ManagedAccount } from '../account-steps.tsx';
import { api, ApiFailure, failureText } from '../api.ts';
import type { ScreenProps } from '../App.tsx';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors } from '../forms.tsx';
import { cstTime } from '../labels.ts';

interface Region {
  id: string;
  name: string;
  level: 'county' | 'city';
}
const LABELS: Record<string, string> = { username: '用户名', display_name: '姓名', region: '地区' };

export default function RegionAccounts({ session }: ScreenProps) {
  const [regions, setRegions] = useState<Region[]>([]);
  // The region chosen is kept in the address (?region=), so that reading the page again stays on it.
  const [region, setRegion] = useState(() => new URLSearchParams(location.search).get('region') ?? '');
  const [list, setList] = useState<ManagedAccount[]>([]);
  const [form, setForm] = useState({ username: '', display_name: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [created, setCreated] = useState<{ username: string; url: string; expires: string } | null>(null);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api<{ regions: Region[] }>('/api/v1/regions').then(
      (r) => (setRegions(r.regions), setRegion((x) => (r.regions.some((g) => g.id === x) ? x : (r.regions[0]?.id ?? '')))),
      (e) => setFailure(failureText(e)),
    );
  }, []);
  useEffect(() => {
    if (!region) return;
    const q = new URLSearchParams(location.search);
    q.set('region', region);
    history.replaceState(null, '', `?${q}`);
  }, [region]);
  const load = useCallback(async () => {
    if (!region) return;
    try {
      setList((await api<{ accounts: ManagedAccount[] }>(`/api/v1/regions/${region}/accounts`)).accounts);
    } catch (e) {
      setFailure(failureText(e));
    }
  }, [region, session.token]);
  useEffect(() => void load(), [load]);
  const steps = useAccountSteps(session.account, `/api/v1/regions/${region}/accounts`, load, setFailure, () => setCreated(null));

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    setCreated(null);
    const v = check(CreateRegionAccountBody, form);
    if (!v.ok) {
      setErrors(v.errors);
      return void requestAnimationFrame(() => summary.current?.focus());
    }
    setErrors({});
    try {
      const r = await api<{ account: ManagedAccount; activation_url: string; activation_expires_at: string }>(`/api/v1/regions/${region}/accounts`, { method: 'POST', body: v.data });
      setCreated({ username: r.account.username, url: new URL(r.activation_url, location.origin).href, expires: r.activation_expires_at });
      setForm({ username: '', display_name: '' });
      await load();
    } catch (e) {
      if (e instanceof ApiFailure && e.fields.length) setErrors(toErrors(e.fields));
      setFailure(failureText(e));
    }
  };

  return (
    <section className="console-panel" aria-labelledby="region-accounts-title">
      <h2 id="region-accounts-title">县（市、区）督导账号</h2>
      <p className="hint">县（市、区）督导可以查看本地区各镇的督办看板、检查记录、通报和操作记录，不能在镇里填报、审核或修改任何内容；可以起草和印发本地区的通报。</p>
      <CreatedNotice created={created} />
      {failure && <Notice kind="error">{failure}</Notice>}
      <form onSubmit={submit} noValidate>
        <ErrorSummary form="racc" errors={errors} labels={(p) => LABELS[p] ?? p} summaryRef={summary} />
        <Field form="racc" path="region" label="地区" errors={errors}>
          {(a) => (
            <select {...a} value={region} onChange={(e) => setRegion(e.target.value)}>
              {regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field form="racc" path="username" label="用户名" hint="3–40 个小写字母、数字或 . _ -" errors={errors}>
          {(a) => <input {...a} autoCapitalize="none" spellCheck={false} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />}
        </Field>
        <Field form="racc" path="display_name" label="姓名" errors={errors}>
          {(a) => <input {...a} value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} />}
        </Field>
        <button type="submit" className="button button-primary">
          建立督导账号
        </button>
      </form>
      {steps.notice}
      <p>停用、恢复、重置密码和重新发放激活链接都会记入操作记录。</p>
      <ul className="console-list" aria-label="本地区的督导账号">
        {list.map((a) => (
          <li key={a.id} data-account={a.username}>
            <strong>{a.display_name}</strong>（{a.username}）：<span className="status">{ACCOUNT_STATUS_ZH[a.status]}</span>
            <br />
            <span className="last-login">{a.last_login_at ? `上次登录：${cstTime(a.last_login_at)}` : '从未登录'}</span>
            {steps.buttons(a)}
          </li>
        ))}
      </ul>
    </section>
  );
}
