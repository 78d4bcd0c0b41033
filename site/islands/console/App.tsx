/**
 * The frame of every console screen: sign-in when there is no session (or it expired), the
 * navigation for the account's role, sign-out, and the network state. The screen itself stays
 * mounted while the person signs in again, so nothing on it is lost.
 */
import { useEffect, useRef, useState, type ComponentType } from 'react';
import { api, failureText, ApiFailure } from './api.ts';
import { Field, Notice, toErrors, type Errors } from './forms.tsx';
import { accountLabel, cstTime, ROLE_ZH, screensFor, type ScreenId } from './labels.ts';
import { forget, keepAnswer, prefetch } from './local.ts';
import { ME_TASKS } from './my-tasks.ts';
import { planPath } from './plan.ts';
import { clearSession, getSession, lastAccount, onSession, setSession, type Session } from './session.ts';
import { useSync } from './sync.ts';

/** Loads a screen's chunk. */
export type ScreenLoader = (id: ScreenId) => Promise<ComponentType<ScreenProps> | null>;

export interface ScreenProps {
  session: Session;
  /** The town the screens work on: the account's, or (admin) the first town; for a region supervisor, its region (the region screens' subject). */
  town: string;
}

/** What the person typed into the page's own form before the script arrived, and what its sign-in (early.js) answered. */
export type Typed = { username: string; password: string; focus: string | null; failure: string; errors: Errors } | null;

/** A sign-in's answer: the session, and 我的任务 brought along (`?include=me_tasks`, docs/api.md). */
type SignedIn = Session & { included?: { me_tasks?: { etag: string; body: unknown }; plan?: { etag: string; body: unknown } } };

/**
 * Keeps what the account's first screen shows: 我的任务 and (on a first visit) the plan from the
 * sign-in's answer (no second round trip); otherwise the plan is asked for now (usually fetched while
 * the person typed, early.js) while the screen's code mounts.
 */
function prepareFirstScreen(s: Session, included: SignedIn['included']): void {
  if (included?.me_tasks) keepAnswer(s.account.id, ME_TASKS, included.me_tasks.body, included.me_tasks.etag);
  if (s.account.town_id && included?.plan) keepAnswer('public', planPath(s.account.town_id), included.plan.body, included.plan.etag);
  else if (s.account.town_id) prefetch('public', planPath(s.account.town_id));
}

function SignIn({ expired, onDone, typed }: { expired: boolean; onDone: () => void; typed?: Typed }) {
  const last = lastAccount();
  const [username, setUsername] = useState(typed?.username || (expired && last ? last.username : ''));
  const [password, setPassword] = useState(typed?.password ?? '');
  const [errors, setErrors] = useState<Errors>(typed?.errors ?? {});
  const [failure, setFailure] = useState(typed?.failure ?? '');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const field = typed?.focus ? (document.getElementById(typed.focus) as HTMLInputElement | null) : null;
    if (field) {
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    } else heading.current?.focus();
  }, []);

  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setFailure('');
    // Checked by the API with its LoginBody schema (the answer names the field, in the same words):
    // importing zod here would put it on every first visit for the sake of an empty-field message.
    setErrors({});
    setBusy(true);
    try {
      // The plan comes along unless one for the last account's town is on its way or kept here (early.js fetched it while the person typed).
      const known = !!last?.town_id;
      const { included, ...s } = await api<SignedIn>(`/api/v1/auth/login?include=${known ? 'me_tasks' : 'me_tasks,plan'}`, { method: 'POST', body: { username, password }, anonymous: true });
      prepareFirstScreen(s, included);
      setSession(s);
      onDone();
    } catch (e) {
      if (e instanceof ApiFailure && e.fields.length) {
        const errors = toErrors(e.fields);
        setErrors(errors);
        document.getElementById(`login-${Object.keys(errors)[0]}`)?.focus();
      } else setFailure(e instanceof ApiFailure && e.status === 401 ? '用户名或密码不正确。' : failureText(e));
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

/** The one message about the network and sending (sync.ts): offline, sending, delivered — never three at once. */
function SyncMessage() {
  const s = useSync();
  const waiting = s.queued ? `${s.queued} 份报送保存在本机，恢复网络后自动发送。` : '填写的内容保存在本机，恢复网络后可以发送。';
  const keptNote = s.keptAt ? `显示的是本机保存的内容（${cstTime(s.keptAt)} 与服务器核对过）。` : '';
  let text = '';
  let kind: 'info' | 'ok' = 'info';
  if (!s.online) text = `没有网络连接。${keptNote}${waiting}`;
  else if (s.keptAt) text = `暂时连不上服务器。${keptNote}${s.queued ? `${s.queued} 份报送保存在本机，会自动重试。` : ''}`;
  else if (s.queued) text = `正在发送 ${s.queued} 份报送……`;
  else if (s.delivered) (text = `已送达 ${s.delivered} 份报送，等待领导小组办公室审核。`), (kind = 'ok');
  return (
    <div className="sync-message" role="status">
      {text && <Notice kind={kind}>{text}</Notice>}
    </div>
  );
}

/** What the screens work on: the account's town, or a region supervisor's region (null: an admin's, found below). */
const workOn = (a: Session['account'] | undefined): string | null => a?.town_id ?? (a?.role === 'region_supervisor' ? (a.region_id ?? null) : null);

/** Wraps a screen with sign-in, navigation and sign-out. */
export function App({ screen: page, Screen: PageScreen, load, typed }: { screen: ScreenId; Screen: ComponentType<ScreenProps> | null; load: ScreenLoader; typed?: Typed }) {
  const [session, setState] = useState<Session | null>(() => getSession());
  const [expired, setExpired] = useState(() => !getSession() && !!lastAccount() && page !== 'home');
  /** The session the screen was opened with: kept (hidden) while the person signs in again. */
  const [shown, setShown] = useState<Session | null>(() => getSession());
  const [town, setTown] = useState<string | null>(() => workOn(getSession()?.account));
  // No stop-off page: on /console/ a signed-in person gets their role's first screen in place
  // (no second page load on a slow network), and the address becomes that screen's.
  const [home, setHome] = useState<{ id: ScreenId; Screen: ComponentType<ScreenProps> | null } | null>(null);
  const role = session?.account.role;
  useEffect(() => {
    if (page !== 'home') return;
    const first = role ? screensFor(role)[0] : undefined;
    if (!first) {
      // Signed out: fetch the likely next screen while the person types (the last account's, else a
      // reporter's). The plan is fetched meanwhile by the page's own sign-in script (early.js).
      const likely = screensFor(lastAccount()?.role ?? 'reporter')[0];
      if (likely) void load(likely.id).catch(() => undefined);
      setHome(null);
      return;
    }
    let live = true;
    load(first.id).then((S) => {
      if (!live) return;
      history.replaceState(null, '', first.href);
      document.title = `${first.label} — 工作台 — 示范镇创建进度`;
      const h1 = document.querySelector('main h1');
      if (h1) h1.textContent = first.label;
      setHome({ id: first.id, Screen: S });
    });
    return () => void (live = false);
  }, [page, role, load]);
  const screen: ScreenId = home?.id ?? page;
  const Screen = home?.Screen ?? PageScreen;

  useEffect(
    () =>
      onSession((s, reason) => {
        setState(s);
        setExpired(reason === 'expired');
        if (s) {
          setShown(s);
          setTown(workOn(s.account));
        }
      }),
    [],
  );
  // An admin has no town: work on the first one.
  useEffect(() => {
    if (session && !town) api<{ towns: { town: { id: string } }[] }>('/api/v1/towns?size=1').then((r) => setTown(r.towns[0]?.town.id ?? null), () => undefined);
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
    if (session) forget(session.account.id);
    clearSession('signout');
    location.assign('/console/');
  };

  const mine = session ? screensFor(session.account.role) : [];
  const allowed = !Screen || (shown ? screensFor(shown.account.role) : []).some((s) => s.id === screen);
  return (
    <div className="console">
      <SyncMessage />
      {session && (
        <div className="console-bar">
          <p>
            {accountLabel(session.account)}
          </p>
          <nav aria-label="工作台导航">
            <ul>
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
      {!session && <SignIn expired={expired} onDone={() => setExpired(false)} typed={typed} />}
      {session && !allowed && <Notice kind="error">您的账号（{ROLE_ZH[session.account.role]}）不能使用这个功能。请从上面的导航选择。</Notice>}
      {session && page === 'home' && !home && <p className="console-loading">正在打开{screensFor(session.account.role)[0]?.label ?? '工作台'}……</p>}
      {Screen && allowed && shown && town !== null && (
        <div hidden={!session}>
          <Screen key={shown.account.id} session={shown} town={town} />
        </div>
      )}
    </div>
  );
}
