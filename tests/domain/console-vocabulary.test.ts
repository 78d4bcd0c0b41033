import { describe, expect, it } from 'vitest';
import { zh } from '../../site/i18n/zh.ts';
import { accountLabel, cstTime, STATUS_ZH } from '../../site/islands/console/labels.ts';
import { STATUS_ZH as BULLETIN_STATUS_ZH } from '../../worker/domain/bulletin.ts';

describe('the console speaks the public site’s words', () => {
  it('names every task status as the public pages do (进行中, not 推进中), and so do bulletins', () => {
    expect(STATUS_ZH).toEqual(zh.status);
    expect(BULLETIN_STATUS_ZH).toEqual(zh.status);
  });

  it('adds the role to a name only when the name carries no bracketed note already', () => {
    expect(accountLabel({ display_name: '演示填报员（卫计办）', role: 'reporter' })).toBe('演示填报员（卫计办）');
    expect(accountLabel({ display_name: '测试填报员', role: 'reporter' })).toBe('测试填报员（填报员）');
    expect(accountLabel({ display_name: '王督导', role: 'supervisor' })).toBe('王督导（督导）');
  });

  it('shows times in China Standard Time whatever the browser’s zone', () => {
    expect(cstTime('2026-12-01T17:30:00Z')).toBe('2026-12-02 01:30');
  });
});
