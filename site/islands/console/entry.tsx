/**
 * The console's one script (a bundled module, no inline script, so the strict CSP holds): reads
 * which screen this page is from `data-screen` and mounts it. Each screen is its own chunk.
 */
import { createRoot } from 'react-dom/client';
import type { ComponentType } from 'react';
import { App, type ScreenLoader, type ScreenProps } from './App.tsx';
import type { ScreenId } from './labels.ts';

const screens: Record<string, () => Promise<{ default: ComponentType<ScreenProps> }>> = {
  tasks: () => import('./screens/Tasks.tsx'),
  review: () => import('./screens/Review.tsx'),
  manage: () => import('./screens/Manage.tsx'),
  accounts: () => import('./screens/Accounts.tsx'),
  board: () => import('./screens/Board.tsx'),
  inspections: () => import('./screens/Inspections.tsx'),
  bulletins: () => import('./screens/Bulletins.tsx'),
  audit: () => import('./screens/Audit.tsx'),
};

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
    createRoot(root).render(<App screen={screen} Screen={Screen} load={load} />);
  };
  mount().catch(() => {
    root.textContent = '工作台加载失败，请检查网络后刷新页面。';
  });
}
