/**
 * The demo accounts `npm start` creates (./admin.ts creates them): a module of its own, with no
 * runtime import, so that a warm `npm start` names them without loading the account code (issue 23).
 */
import type { Role } from '../auth/context.ts';

/** The demo password of every demo account: local demo data only, printed by `npm start`. */
export const DEMO_PASSWORD = 'demo-password-2018';
/** One demo account per role, in 冯卯镇 (the region supervisor: of its county, 山亭区). */
export const DEMO_ACCOUNTS: { username: string; role: Role; town: string | null; unit: string | null; region?: string; display_name: string }[] = [
  { username: 'demo-reporter', role: 'reporter', town: 'fengmao', unit: 'weijiban', display_name: '演示填报员（卫计办）' },
  { username: 'demo-office', role: 'office', town: 'fengmao', unit: 'weijiban', display_name: '演示领导小组办公室' },
  { username: 'demo-supervisor', role: 'supervisor', town: 'fengmao', unit: null, display_name: '演示督导' },
  { username: 'demo-region-supervisor', role: 'region_supervisor', town: null, unit: null, region: 'shanting', display_name: '演示区县督导（山亭区）' },
  { username: 'demo-admin', role: 'admin', town: null, unit: null, display_name: '演示管理员' },
];
