/** Chinese labels of the console for the API's stable keys. */
import type { Account } from './session.ts';

export const ROLE_ZH: Record<Account['role'], string> = { reporter: '填报员', office: '领导小组办公室', supervisor: '督导', region_supervisor: '县（市、区）督导', admin: '系统管理员' };
/** The public site's words (site/i18n/zh.ts `status`; tests/domain/console-vocabulary.test.ts keeps them equal). */
export const STATUS_ZH: Record<string, string> = { not_started: '未开始', in_progress: '进行中', completed: '已完成', blocked: '受阻' };
export const STATE_ZH: Record<string, string> = { pending: '已送达，待审核', approved: '已通过', rejected: '已退回' };

/** The console's screens, who sees each, and its address. */
export const SCREENS = [
  { id: 'tasks', href: '/console/tasks/', label: '我的任务', roles: ['reporter'] },
  { id: 'review', href: '/console/review/', label: '审核进展', roles: ['office'] },
  { id: 'manage', href: '/console/manage/', label: '任务管理', roles: ['office', 'admin'] },
  { id: 'accounts', href: '/console/accounts/', label: '账号管理', roles: ['office', 'admin'] },
  { id: 'region-board', href: '/console/region-board/', label: '各镇督办看板', roles: ['region_supervisor'] },
  { id: 'region-bulletins', href: '/console/region-bulletins/', label: '地区通报', roles: ['region_supervisor'] },
  { id: 'board', href: '/console/board/', label: '督办看板', roles: ['supervisor', 'office', 'admin'] },
  { id: 'inspections', href: '/console/inspections/', label: '督导检查', roles: ['supervisor', 'admin'] },
  { id: 'bulletins', href: '/console/bulletins/', label: '通报', roles: ['supervisor', 'office', 'admin'] },
  { id: 'audit', href: '/console/audit/', label: '操作记录', roles: ['supervisor', 'office', 'admin'] },
  { id: 'draft', href: '/console/draft/', label: '方案起草', roles: ['admin'] },
] as const satisfies readonly { id: string; href: string; label: string; roles: readonly Account['role'][] }[];

export type ScreenId = (typeof SCREENS)[number]['id'] | 'home' | 'activate';

export const screensFor = (role: Account['role']) => SCREENS.filter((s) => (s.roles as readonly string[]).includes(role));

/**
 * How the console names the signed-in person: the display name, with the role added only when the
 * name does not already end in a bracketed note ("演示填报员（卫计办）" stays as it is; "李四" →
 * "李四（填报员）"), so no name reads "演示填报员（卫计办）（填报员）".
 */
export const accountLabel = (a: Pick<Account, 'display_name' | 'role'>): string => (/[）)]\s*$/.test(a.display_name) ? a.display_name : `${a.display_name}（${ROLE_ZH[a.role]}）`);

/** "2026-12-01T08:00:00Z" → "2026-12-01 16:00" (China Standard Time). */
export function cstTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** Today in China Standard Time, YYYY-MM-DD. */
export const todayCst = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** An http(s) address, or null: only such links are rendered as links (the API accepts no other). */
export const safeHref = (url: string): string | null => (/^https?:\/\//i.test(url.trim()) ? url : null);
