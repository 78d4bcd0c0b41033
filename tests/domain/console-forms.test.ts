/**
 * The console's form validation (site/islands/console/forms.tsx) with the API's own schemas: a
 * person sees, next to each field, the Chinese half of the message the API would answer with,
 * under the same field path the API names in `fields`.
 */
import { describe, expect, it } from 'vitest';
import { check, fieldId, toErrors } from '../../site/islands/console/forms.tsx';
import { UpdateInput } from '../../worker/domain/update.ts';
import { ActivateBody, CreateAccountBody } from '../../worker/domain/account.ts';
import { BulletinDraftInput } from '../../worker/domain/bulletin.ts';

describe('console form validation', () => {
  it('names each bad field of an update by its API path, in Chinese', () => {
    const r = check(UpdateInput, {
      status: 'in_progress',
      percent: 140,
      narrative: '  ',
      measurements: [{ indicator: 'family-doctor-signing-elderly', value: undefined, as_of: '2018-13-01', source: '' }],
      evidence: [{ url: 'javascript:alert(1)' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      percent: '完成比例不能大于100',
      narrative: '请填写进展说明',
      'measurements.0.value': '数值必须是数字',
      'measurements.0.as_of': '日期格式应为 YYYY-MM-DD',
      'measurements.0.source': '请填写数据来源',
      'evidence.0.url': '链接必须以 http:// 或 https:// 开头',
    });
  });

  it('returns the parsed payload the API would store when the form is valid', () => {
    const r = check(UpdateInput, { status: 'completed', percent: 100, narrative: ' 已完成 ', measurements: [], evidence: [] });
    // Attachments default to none, as the API stores a report without files.
    expect(r).toEqual({ ok: true, data: { status: 'completed', percent: 100, narrative: '已完成', measurements: [], evidence: [], attachments: [] } });
  });

  it('uses the account and bulletin schemas the routes use', () => {
    expect(check(ActivateBody, { token: 'x'.repeat(32), password: 'short' })).toEqual({ ok: false, errors: { password: '密码至少需要 10 个字符' } });
    const acc = check(CreateAccountBody, { username: 'Li Wei', display_name: '', role: 'reporter' });
    expect(acc.ok ? {} : acc.errors).toEqual({ username: '用户名为 3–40 个小写字母、数字或 . _ -，以字母或数字开头', display_name: '请填写姓名' });
    expect(check(BulletinDraftInput, { period_from: '2019-02-01', period_to: '2019-01-01' })).toEqual({ ok: false, errors: { period_to: '统计期间的开始日期不能晚于结束日期' } });
  });

  it('puts the fields of an API error on the same inputs (first message per field)', () => {
    expect(toErrors([{ path: 'unit_id', message: '填报员必须属于一个责任单位 / a reporter belongs to one responsible unit' }, { path: 'unit_id', message: '第二条' }])).toEqual({ unit_id: '填报员必须属于一个责任单位' });
    expect(fieldId('upd-x', 'measurements.0.value')).toBe('upd-x-measurements-0-value');
  });
});
