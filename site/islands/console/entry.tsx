/**
 * The console's one script (a bundled module, no inline script, so the strict CSP holds): reads
 * which screen this page is from `data-screen` and mounts it. Each screen is its own chunk.
 */
import { createRoot } from 'react-dom/client';
import type { ComponentType } from 'react';
import { App, type ScreenLoader, type ScreenProps, type Typed } from './App.tsx';
import type { ScreenId } from './labels.ts';

const screens: Record<string, () => Promise<{ default: ComponentType<ScreenProps> }>> = {
  tasks: () => import('./screens/Tasks.tsx'),
  review: () => import('./screens/Review.tsx'),
  manage: () => import('./screens/Manage.tsx'),
  accounts: () => import('./screens/Accounts.tsx'),
  board: () => import('./screens/Board.tsx'),
  'region-board': () => import('./screens/RegionBoard.tsx'),
  'region-bulletins': () => import('./screens/RegionBulletins.tsx'),
  inspections: () => import('./screens/Inspections.tsx'),
  bulletins: () => import('./screens/Bulletins.tsx'),
  audit: () => import('./screens/Audit.tsx'),
  draft: () => import('./screens/Draft.tsx'),
};

/**
 * What was typed into the page's own sign-in form before this script arrived (Console.astro), and
 * what its sign-in script (early.js) said about it: the live form shows the same.
 */
function typed(): Typed {
  const u = document.getElementById('login-username') as HTMLInputElement | null;
  const p = document.getElementById('login-password') as HTMLInputElement | null;
  if (!u || !p) return null;
  const focus = document.activeElement === u || document.activeElement === p ? document.activeElement.id : null;
  const errors: Record<string, string> = {};
  for (const f of ['username', 'password']) {
    const e = document.getElementById(`login-${f}-error`)?.textContent;
    if (e) errors[f] = e;
  }
  return { username: u.value, password: p.value, focus, failure: document.getElementById('signin-failure')?.textContent ?? '', errors };
}

/** A sign-in early.js has sent and not yet had answered: the app mounts after it, signed in or not. */
async function earlySignIn(): Promise<void> {
  const early = (window as { dttEarly?: { signin?: Promise<void> | null } }).dttEarly;
  while (early?.signin) await early.signin.catch(() => undefined);
}

// The offline shell (site/public/console/sw.js). Its precaching downloads every script, so it is
// registered once the first screen has its data (a screen dispatches `console:ready`), or 8 s after
// the page loaded: it must not compete with the first screen for a 50 kB/s network.
if ('serviceWorker' in navigator) {
  let done = false;
  const register = () => {
    if (done) return;
    done = true;
    navigator.serviceWorker.register('/console/sw.js', { scope: '/console/' }).catch(() => undefined);
  };
  addEventListener('console:ready', register, { once: true });
  const later = () => setTimeout(register, 8_000);
  if (document.readyState === 'complete') later();
  else addEventListener('load', later, { once: true });
  // A page from the offline copy, refreshed in the background with other reading settings: apply them now.
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data?.type === 'html-class' && typeof e.data.value === 'string') document.documentElement.className = e.data.value;
  });
}

const root = document.getElementById('console-app');
if (root) {
  const screen = (root.dataset.screen ?? 'home') as ScreenId;
  const mount = async () => {
    if (screen === 'activate') {
      const { Activate } = await import('./screens/Activate.tsx');
      createRoot(root).render(<Activate />);
      return;
    }
    const load: ScreenLoader = async (id) => (screens[id] ? (await screens[id]()).default : null);
    const Screen = await load(screen);
    await earlySignIn();
    createRoot(root).render(<App screen={screen} Screen={Screen} load={load} typed={typed()} />);
  };
  mount().catch(() => {
    root.textContent = '工作台加载失败，请检查网络后刷新页面。';
  });
}
