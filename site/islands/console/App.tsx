/**
 * The frame of every console screen: sign-in when there is no session (or it expired), the
 * navigation for the account's role, sign-out, and the network state. The screen itself stays
 * mounted while the person signs in again, so nothing on it is lost.
 */
import { useEffect, useRef, useState, type ComponentType } from 'react';
import { LoginBody } from '../../../worker/domain/account.ts';
import { api, failureText, ApiFailure } from './api.ts';
import { check, Field, Notice, type Errors } from './forms.tsx';
import { ROLE_ZH, screensFor, type ScreenId } from './labels.ts';
import { clearSession, getSession, lastAccount, onSession, setSession, type Session } from './session.ts';

export interface ScreenProps {
  session: Session;
  /** The town the screens work on: the account's, or (admin) the first town. */
  town: string;
}

function SignIn({ expired, onDone }: { expired: boolean; onDone: () => void }) {
  const last = lastAccount();
  const [username, setUsername] = useState(expired && last ? last.username : '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState('');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    const v = check(LoginBody, { username, password });
    if (!v.ok) {
      setErrors(v.errors);
      document.getElementById(`login-${Object.keys(v.errors)[0]}`)?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      setSession(await api<Session>('/api/v1/auth/login', { method: 'POST', body: v.data, anonymous: true }));
      onDone();
    } catch (e) {
      setFailure(e instanceof ApiFailure && e.status === 401 ? '用户名或密码不正确。' : failureText(e));
      setBusy(false);
    }
  };

  return (
    <section className="console-panel" aria-labelledby="signin-title">
      <h2 id="signin-title" tabIndex={-1} ref={heading}>
        登录工作台
      </h2>
      {expired && <Notice kind="info">登录已过期，请重新登录。您填写的内容和待发送的报送都已保留，登录后会继续发送。</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      <form onSubmit={submit} noValidate>
        <Field form="login" path="username" label="用户名" errors={errors}>
          {(a) => <input {...a} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} />}
        </Field>
        <Field form="login" path="password" label="密码" errors={errors}>
          {(a) => <input {...a} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? '正在登录…' : '登录'}
        </button>
      </form>
      <p className="hint">新账号请使用领导小组办公室发给您的激活链接设置密码。</p>
    </section>
  );
}

function useOnline(): boolean {
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

/** Wraps a screen with sign-in, navigation and sign-out. */
export function App({ screen, Screen }: { screen: ScreenId; Screen: ComponentType<ScreenProps> | null }) {
  const [session, setState] = useState<Session | null>(() => getSession());
  const [expired, setExpired] = useState(() => !getSession() && !!lastAccount() && screen !== 'home');
  /** The session the screen was opened with: kept (hidden) while the person signs in again. */
  const [shown, setShown] = useState<Session | null>(() => getSession());
  const [town, setTown] = useState<string | null>(() => getSession()?.account.town_id ?? null);
  const online = useOnline();

  useEffect(
    () =>
      onSession((s, reason) => {
        setState(s);
        setExpired(reason === 'expired');
        if (s) {
          setShown(s);
          setTown(s.account.town_id);
        }
      }),
    [],
  );
  // An admin has no town: work on the first one.
  useEffect(() => {
    if (session && !town) api<{ towns: { id: string }[] }>('/api/v1/towns').then((r) => setTown(r.towns[0]?.id ?? null), () => undefined);
  }, [session, town]);
  // The session is checked once on load, so an expired or revoked token shows the sign-in at once.
  useEffect(() => {
    if (getSession()) api('/api/v1/me').catch(() => undefined);
  }, []);

  const signOut = async () => {
    try {
      await api('/api/v1/auth/logout', { method: 'POST' });
    } catch {
      /* already ended on the server: end it here too */
    }
    clearSession('signout');
    location.assign('/console/');
  };

  const mine = session ? screensFor(session.account.role) : [];
  const allowed = !Screen || (shown ? screensFor(shown.account.role) : []).some((s) => s.id === screen);
  return (
    <div className="console">
      {!online && <Notice kind="info">当前没有网络连接。填写的内容保存在本机，恢复网络后会自动发送。</Notice>}
      {session && (
        <div className="console-bar">
          <p>
            {session.account.display_name}（{ROLE_ZH[session.account.role]}）
          </p>
          <nav aria-label="工作台导航">
            <ul>
              <li>
                <a href="/console/" aria-current={screen === 'home' ? 'page' : undefined}>
                  工作台首页
                </a>
              </li>
              {mine.map((s) => (
                <li key={s.id}>
                  <a href={s.href} aria-current={s.id === screen ? 'page' : undefined}>
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <button type="button" className="button" onClick={signOut}>
            退出登录
          </button>
        </div>
      )}
      {!session && <SignIn expired={expired} onDone={() => setExpired(false)} />}
      {session && !allowed && <Notice kind="error">您的账号（{ROLE_ZH[session.account.role]}）不能使用这个功能。请从上面的导航选择。</Notice>}
      {session && screen === 'home' && (
        <section className="console-panel" aria-labelledby="home-title">
          <h2 id="home-title">您可以</h2>
          <ul className="console-links">
            {mine.map((s) => (
              <li key={s.id}>
                <a className="button" href={s.href}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {Screen && allowed && shown && town !== null && (
        <div hidden={!session}>
          <Screen key={shown.account.id} session={shown} town={town} />
        </div>
      )}
    </div>
  );
}
