/**
 * Admin: the region supervisors (县（市、区）督导) of a county or city — a new one gets a one-time
 * activation link shown once, as a town account does; the list shows each one's state and last
 * sign-in. (Disabling or resetting one: `npm run admin -- disable|reset --username U`.)
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CreateRegionAccountBody } from '../../../../worker/domain/account.ts';
import { api, ApiFailure, failureText } from '../api.ts';
import { check, ErrorSummary, Field, Notice, toErrors, type Errors } from '../forms.tsx';
import { cstTime } from '../labels.ts';

interface Region {
  id: string;
  name: string;
  level: 'county' | 'city';
}
interface Managed {
  id: string;
  username: string;
  display_name: string;
  status: 'pending' | 'active' | 'disabled';
  last_login_at: string | null;
}
const STATUS: Record<Managed['status'], string> = { pending: '待激活', active: '正常', disabled: '已停用' };
const LABELS: Record<string, string> = { username: '用户名', display_name: '姓名', region: '地区' };

export default function RegionAccounts() {
  const [regions, setRegions] = useState<Region[]>([]);
  const [region, setRegion] = useState('');
  const [list, setList] = useState<Managed[]>([]);
  const [form, setForm] = useState({ username: '', display_name: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [created, setCreated] = useState<{ username: string; url: string; expires: string } | null>(null);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api<{ regions: Region[] }>('/api/v1/regions').then((r) => (setRegions(r.regions), setRegion((x) => x || (r.regions[0]?.id ?? ''))), (e) => setFailure(failureText(e)));
  }, []);
  const load = useCallback(() => {
    if (region) api<{ accounts: Managed[] }>(`/api/v1/regions/${region}/accounts`).then((r) => setList(r.accounts), (e) => setFailure(failureText(e)));
  }, [region]);
  useEffect(load, [load]);

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
      const r = await api<{ account: Managed; activation_url: string; activation_expires_at: string }>(`/api/v1/regions/${region}/accounts`, { method: 'POST', body: v.data });
      setCreated({ username: r.account.username, url: new URL(r.activation_url, location.origin).href, expires: r.activation_expires_at });
      setForm({ username: '', display_name: '' });
      load();
    } catch (e) {
      if (e instanceof ApiFailure && e.fields.length) setErrors(toErrors(e.fields));
      setFailure(failureText(e));
    }
  };

  return (
    <section className="console-panel" aria-labelledby="region-accounts-title">
      <h2 id="region-accounts-title">县（市、区）督导账号</h2>
      <p className="hint">县（市、区）督导可以查看本地区各镇的督办看板、检查记录、通报和操作记录，不能在镇里填报、审核或修改任何内容；可以起草和印发本地区的通报。</p>
      {created && (
        <Notice kind="ok">
          <p>已为 {created.username} 建立账号。请把下面的激活链接交给本人（只显示这一次，{cstTime(created.expires)} 前有效）：</p>
          <p>
            <code className="activation-link">{created.url}</code>
          </p>
        </Notice>
      )}
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
      <ul className="console-list" aria-label="本地区的督导账号">
        {list.map((a) => (
          <li key={a.id}>
            <strong>{a.display_name}</strong>（{a.username}）：{STATUS[a.status]}，上次登录 {cstTime(a.last_login_at)}
          </li>
        ))}
      </ul>
    </section>
  );
}
