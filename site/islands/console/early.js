// @ts-check
/*
 * The sign-in of /console/ before the app's script arrives. On a rural network (2 s round trip,
 * 50 kB/s) React takes seconds more than the page; this script is inlined into the page
 * (site/layouts/Console.astro) and allowed by its SHA-256 in the console's CSP (worker/site.ts),
 * so the 登录 button works as soon as the form is on screen. No React, no imports.
 *
 * - While the person types: fetches the public plan the first screen needs (the town of the last
 *   account on this phone, or the only town there is: GET /api/v1/towns?size=1).
 * - On submit: POST /api/v1/auth/login?include=me_tasks,plan, the session stored exactly as session.ts
 *   stores it, 我的任务 and the town's plan, which come with the answer, as local.ts keeps GET
 *   /me/tasks and GET …/plan (so the first screen needs no second round trip). The plan is left
 *   out when it is already on its way (the last account's town, fetched while the person typed). Errors are shown as the app shows them (a notice;
 *   a field's message under the field, linked with aria-describedby).
 * - Hand-over: `window.dttEarly` holds the sign-in under way (entry.tsx mounts the app only once it
 *   has settled) and the GETs started here, which local.ts `revalidate` takes instead of asking
 *   again. What they bring is kept in localStorage in local.ts's format.
 * Keys and formats must match session.ts and local.ts; tests/e2e/console.test.ts signs in through
 * this script with the app's scripts held back and checks the app then shows 我的任务.
 */
(() => {
  const SESSION = 'dtt.console.session';
  const LAST = 'dtt.console.last-account';
  const CACHE = 'dtt.console.cache.';
  const form = document.getElementById('signin-form');
  if (!(form instanceof HTMLFormElement)) return;
  /** @param {string} k */
  const read = (k) => {
    try {
      return JSON.parse(localStorage.getItem(k) ?? 'null');
    } catch {
      return null;
    }
  };
  /** @type {{ signin: Promise<void> | null, loads: Record<string, { at: number, done: Promise<void> }> }} */
  const early = { signin: null, loads: {} };
  /** @type {any} */ (window).dttEarly = early;

  /** A town's public plan, kept as local.ts keeps it (revalidated with its ETag), registered for local.ts to take. */
  const planOf = (/** @type {string} */ town) => {
    const path = `/api/v1/towns/${town}/plan`;
    const key = `public ${path}`;
    if (early.loads[key]) return;
    const store = `${CACHE}public.${path}`;
    const old = read(store);
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (old?.etag) headers['if-none-match'] = old.etag;
    const done = fetch(path, { headers, cache: 'no-store' }).then(async (res) => {
      const at = new Date().toISOString();
      if (res.status === 304 && old) return localStorage.setItem(store, JSON.stringify({ ...old, at }));
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      localStorage.setItem(store, JSON.stringify({ data: await res.json(), etag: res.headers.get('etag'), at }));
    });
    done.catch(() => undefined);
    early.loads[key] = { at: Date.now(), done };
  };

  /** Replaces the form with a line saying the app is on its way. */
  const replaceForm = (/** @type {string} */ text) => {
    const section = form.closest('section');
    if (!section) return;
    section.hidden = true;
    const note = document.createElement('p');
    note.className = 'console-loading';
    note.textContent = text;
    section.after(note);
  };

  const session = read(SESSION);
  if (session?.token && Date.parse(session.expires_at) > Date.now()) {
    // Signed in already: the app opens the first screen; no form to fill meanwhile.
    replaceForm('正在打开工作台……');
    return;
  }
  const town = read(LAST)?.town_id;
  if (town) planOf(town);
  else
    // A first visit: where the deployment holds one town, its plan is fetched while the person types.
    fetch('/api/v1/towns?size=1', { headers: { accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null))
      .then((b) => b && b.total === 1 && b.towns[0] && planOf(b.towns[0].town.id))
      .catch(() => undefined);

  const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
  const fields = /** @type {const} */ (['username', 'password']);
  const input = (/** @type {string} */ f) => /** @type {HTMLInputElement} */ (document.getElementById(`login-${f}`));
  button.disabled = false;
  button.textContent = '登录';

  /** Shows a failure above the form (as the app's Notice), or removes it. */
  const failure = (/** @type {string} */ text) => {
    document.getElementById('signin-failure')?.remove();
    if (!text) return;
    const div = document.createElement('div');
    div.id = 'signin-failure';
    div.className = 'console-notice console-notice-error';
    div.setAttribute('role', 'alert');
    div.textContent = text;
    form.before(div);
  };
  /** Shows each field's message under it (as the app's Field), or clears them. */
  const fieldErrors = (/** @type {Record<string, string>} */ errors) => {
    for (const f of fields) {
      const el = input(f);
      const id = `login-${f}-error`;
      document.getElementById(id)?.remove();
      el.closest('.field')?.classList.toggle('field-invalid', !!errors[f]);
      if (errors[f]) {
        const p = document.createElement('p');
        p.className = 'field-error';
        p.id = id;
        p.textContent = errors[f];
        el.after(p);
        el.setAttribute('aria-describedby', id);
        el.setAttribute('aria-invalid', 'true');
      } else {
        el.removeAttribute('aria-describedby');
        el.removeAttribute('aria-invalid');
      }
    }
  };
  const zh = (/** @type {string} */ m) => m.split(' / ')[0];
  /**
   * What the sign-in brings along: 我的任务 always; the plan too unless one is on its way or kept
   * here (the last account's town, fetched while the person types) — the same bytes as asking
   * after the sign-in, without the second round trip.
   */
  const include = () => (Object.keys(early.loads).some((k) => k.endsWith('/plan')) ? 'me_tasks' : 'me_tasks,plan');

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (early.signin) return;
    failure('');
    fieldErrors({});
    button.disabled = true;
    button.textContent = '正在登录…';
    const body = JSON.stringify({ username: input('username').value, password: input('password').value });
    early.signin = (async () => {
      /** @type {Response} */
      let res;
      try {
        res = await fetch(`/api/v1/auth/login?include=${include()}`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body, cache: 'no-store' });
      } catch {
        return failure('网络连接失败，请检查网络后重试。');
      }
      const answer = await res.json().catch(() => ({}));
      if (res.ok && answer.token && answer.account) {
        const { included, ...signedIn } = answer;
        const { account } = signedIn;
        localStorage.setItem(SESSION, JSON.stringify(signedIn));
        localStorage.setItem(LAST, JSON.stringify(account));
        // 我的任务 came with the answer (?include=me_tasks): kept as if GET /me/tasks had answered.
        const mine = included?.me_tasks;
        if (mine) localStorage.setItem(`${CACHE}${account.id}./api/v1/me/tasks`, JSON.stringify({ data: mine.body, etag: mine.etag, at: new Date().toISOString() }));
        // The plan came with it when none was on its way (a first visit on this phone): kept as if GET …/plan had answered.
        if (account.town_id && included?.plan) {
          localStorage.setItem(`${CACHE}public./api/v1/towns/${account.town_id}/plan`, JSON.stringify({ data: included.plan.body, etag: included.plan.etag, at: new Date().toISOString() }));
        } else if (account.town_id) planOf(account.town_id);
        replaceForm('已登录，正在打开工作台……');
        dispatchEvent(new Event('console:signin'));
        return;
      }
      const e = answer.error ?? {};
      /** @type {Record<string, string>} */
      const errors = {};
      for (const f of e.fields ?? []) if (fields.includes(f.path) && !(f.path in errors)) errors[f.path] = zh(f.message);
      const first = Object.keys(errors)[0];
      if (first) {
        fieldErrors(errors);
        input(first).focus();
      } else failure(res.status === 401 ? '用户名或密码不正确。' : res.status >= 500 && !e.message ? '服务器暂时无法处理，请稍后再试。' : e.message ? zh(e.message) : `请求失败（${res.status}）`);
    })().finally(() => {
      early.signin = null;
      if (!read(SESSION)) {
        button.disabled = false;
        button.textContent = '登录';
      }
    });
  });
})();
