/**
 * Activation: the one-time link (/console/activate/#token=…) carries the token in the fragment,
 * which never reaches a server log; the person chooses a password (ActivateBody, the API's schema).
 * The token is removed from the address bar at once, so it stays out of history and screenshots.
 */
import { useEffect, useRef, useState } from 'react';
import { ActivateBody } from '../../../../worker/domain/account.ts';
import { api, failureText } from '../api.ts';
import { check, ErrorSummary, Field, Notice, type Errors } from '../forms.tsx';

const tokenFromHash = (): string => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';

export function Activate() {
  const [token] = useState(() => {
    const t = tokenFromHash();
    if (t) history.replaceState(null, '', location.pathname);
    return t;
  });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  // Another link opened in this tab changes only the fragment (the address bar holds no token by
  // then), which loads nothing: read the page again so that the new link's token is the one used.
  useEffect(() => {
    const onHash = () => void (tokenFromHash() && location.reload());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (!token) return <Notice kind="error">激活链接不完整。请使用领导小组办公室发给您的完整链接。</Notice>;
  if (done)
    return (
      <div ref={doneRef} tabIndex={-1}>
        <Notice kind="ok">
          <p>账号 {done} 已激活。</p>
          <p>
            <a className="button button-primary" href="/console/">
              去登录
            </a>
          </p>
        </Notice>
      </div>
    );

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const v = check(ActivateBody, { token, password });
    const errs: Errors = v.ok ? {} : { ...v.errors };
    if (!errs.password && confirm !== password) errs.confirm = '两次输入的密码不一致';
    if (Object.keys(errs).length || !v.ok) {
      setErrors(errs);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const r = await api<{ account: { username: string } }>('/api/v1/auth/activate', { method: 'POST', body: v.data, anonymous: true });
      setDone(r.account.username);
      requestAnimationFrame(() => doneRef.current?.focus());
    } catch (e) {
      setFailure(failureText(e));
    } finally {
      setBusy(false);
    }
  };
  const labels: Record<string, string> = { password: '新密码', confirm: '再输入一次', token: '激活码' };
  return (
    <form onSubmit={submit} noValidate className="console-panel">
      <h2>设置密码</h2>
      {failure && <Notice kind="error">{failure}</Notice>}
      <ErrorSummary form="act" errors={errors} labels={(p) => labels[p] ?? p} summaryRef={summary} />
      <Field form="act" path="password" label="新密码（至少 10 个字符）" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <Field form="act" path="confirm" label="再输入一次" errors={errors}>
        {(a) => <input {...a} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
      </Field>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? '正在激活…' : '激活账号'}
      </button>
    </form>
  );
}
